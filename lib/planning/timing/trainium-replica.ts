import type { InstanceTypeSpec, ModelSpec } from '../../hardware';
import type { DecodeLimits, DecodeLoad } from '../engines/decode-batch';
import { SERVER_OVERHEAD_MS, TP_OVERHEAD_EXPONENT, trainiumCalibration, TrainiumCalibration, VLLM_DEFAULT_MAX_NUM_SEQS, VLLM_MEMORY_UTILISATION } from './calibration';
import type { ServingEngine } from './serving-engine';
import {
  activeParameters,
  BF16_BYTES_PER_PARAMETER,
  decodeAttentionFlops,
  decodeWeightBytes,
  layerWidth,
  PrefillWork,
  prefillFlops,
  weightBytes,
} from './model-arithmetic';

const GIB = 1024 ** 3;

/**
 * One vLLM server on a Trainium instance: the model sharded over `tensorParallelDegree` logical
 * NeuronCores, which own that share of the instance's chips, FLOPs, HBM bandwidth and EFA egress.
 * (The fleets run one server per instance, so at a degree below the instance's logical cores the
 * rest of the instance idles.) Its prefill and decode-step times are the calibrated rules.
 */
export class TrainiumReplica implements ServingEngine {
  /** The share of the instance the replica's cores own. */
  public readonly share: number;
  public readonly calibration: TrainiumCalibration;

  constructor(
    public readonly model: ModelSpec,
    public readonly instance: InstanceTypeSpec,
    public readonly tensorParallelDegree: number = instance.logicalNeuronCores,
    /** Bytes per stored weight: 2 for BF16; 1 for an 8-bit checkpoint (prefill still multiplies in BF16). */
    public readonly weightBytesPerParameter: number = BF16_BYTES_PER_PARAMETER,
  ) {
    const cores = instance.logicalNeuronCores;
    if (!Number.isInteger(tensorParallelDegree) || tensorParallelDegree < 1 || cores % tensorParallelDegree !== 0) {
      throw new Error(`Tensor-parallel degree ${tensorParallelDegree} does not divide the ${cores} logical NeuronCores of ${instance.name}.`);
    }
    this.share = tensorParallelDegree / cores;
    this.calibration = trainiumCalibration(instance.accelerator);
    const needed = weightBytes(model, weightBytesPerParameter);
    if (needed > this.deviceMemoryBytes * VLLM_MEMORY_UTILISATION) {
      throw new Error(
        `${model.name} needs ${(needed / GIB).toFixed(0)} GiB for its weights; ${tensorParallelDegree} of the ${cores} logical ` +
          `NeuronCores of ${instance.name} own ${(this.deviceMemoryBytes / GIB).toFixed(0)} GiB. Use a larger tensor-parallel degree or instance type.`,
      );
    }
  }

  /** Dense BF16 FLOP/s of the replica's chips. */
  public get peakFlops(): number {
    return this.share * this.instance.chips * this.instance.accelerator.denseBf16Tflops * 1e12;
  }

  /** HBM bytes per second of the replica's chips. */
  public get memoryBandwidth(): number {
    return this.share * this.instance.chips * this.instance.accelerator.memoryBandwidthGBps * 1e9;
  }

  public get deviceMemoryBytes(): number {
    return this.share * this.instance.acceleratorMemoryGiB * GIB;
  }

  /** KV bytes per second the replica's devices send or receive over EFA: their share of the instance's figure. */
  public get kvBandwidth(): number {
    return this.share * this.instance.kvTransferGBps * 1e9;
  }

  /**
   * Fraction of the utilisation a tensor-parallel layer keeps after its collectives: communication
   * per layer grows with the width, compute with its square over the degree, so the loss grows with
   * degree / width (calibration.tensorParallelScale sets how fast).
   */
  public get tensorParallelEfficiency(): number {
    return 1 / (1 + this.tensorParallelDegree / (this.calibration.tensorParallelScale * layerWidth(this.model)));
  }

  /**
   * The fixed cost of a decode step (kernel launches, the collectives' latency): it grows with the
   * degree, not the work.
   */
  public get stepOverheadMs(): number {
    return this.calibration.stepOverheadMsAtTp64 * this.tensorParallelScaling;
  }

  /** The fixed cost of a context-encoding pass, which grows with the degree the same way. */
  public get prefillOverheadMs(): number {
    return this.calibration.prefillOverheadMsAtTp64 * this.tensorParallelScaling;
  }

  private get tensorParallelScaling(): number {
    return Math.pow(this.tensorParallelDegree / 64, TP_OVERHEAD_EXPONENT);
  }

  /** Time to first token of a prompt on this replica, alone: the server's overhead, the pass's, and the compute. */
  public prefillMs(work: PrefillWork): number {
    return SERVER_OVERHEAD_MS + this.prefillOverheadMs + this.prefillComputeMs(work);
  }

  /** A prefill's FLOPs at the calibrated utilisation and tensor-parallel efficiency. */
  public prefillComputeMs(work: PrefillWork): number {
    return (prefillFlops(this.model, work) / this.effectiveFlops) * 1000;
  }

  private get effectiveFlops(): number {
    return this.peakFlops * this.calibration.prefillUtilisation * this.tensorParallelEfficiency;
  }

  /**
   * One decode step: the step overhead and a per-sequence cost, plus whichever bounds the step,
   * the HBM reads (the weights once, each sequence's KV) or the FLOPs (2 per active parameter per
   * sequence, and attention over the contexts).
   */
  public decodeStepMs(load: DecodeLoad): number {
    const { sequences, contextTokens } = load;
    const bytes = decodeWeightBytes(this.model, sequences, this.weightBytesPerParameter) + contextTokens * this.model.kvBytesPerToken;
    const memoryMs = (bytes / (this.memoryBandwidth * this.calibration.memoryBandwidthUtilisation)) * 1000;
    const flops = 2 * activeParameters(this.model) * sequences + decodeAttentionFlops(this.model, contextTokens);
    const computeMs = (flops / this.effectiveFlops) * 1000;
    return this.stepOverheadMs + this.calibration.perSequenceStepMs * (sequences - 1) + Math.max(memoryMs, computeMs);
  }

  /**
   * Tokens of KV the replica's device memory holds: vLLM's share of it (`gpu_memory_utilization`)
   * less the weights, at the model's KV bytes per token. A prefill server's prefix cache and a decode
   * server's batch both live in it.
   */
  public get kvCapacityTokens(): number {
    const free = this.deviceMemoryBytes * VLLM_MEMORY_UTILISATION - weightBytes(this.model, this.weightBytesPerParameter);
    return Math.floor(free / this.model.kvBytesPerToken);
  }

  /** What a decode server on this replica holds: vLLM's default batch limit, and the KV room its memory leaves. */
  public get decodeLimits(): DecodeLimits {
    return { maxSequences: VLLM_DEFAULT_MAX_NUM_SEQS, kvCapacityTokens: this.kvCapacityTokens };
  }
}
