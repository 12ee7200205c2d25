import { AcceleratorSpec, TRAINIUM1, TRAINIUM2 } from '../../hardware';

/**
 * The fitted constants of the timing rules, per hardware generation, each with what it was fitted
 * to: least squares of the log error over those figures (`published-figures.ts` lists them with
 * their sources). The calibration table test holds every published figure within 25% of its
 * prediction, or to the reason it is listed as unmatched.
 */
export interface TrainiumCalibration {
  readonly generation: string;
  /** Fraction of a replica's dense BF16 peak that prefill's matrix products reach, before tensor-parallel losses. */
  readonly prefillUtilisation: number;
  /** How fast tensor parallelism loses utilisation: efficiency = 1 / (1 + degree / (scale x layer width)). */
  readonly tensorParallelScale: number;
  /** The fixed cost of a context-encoding pass at tensor-parallel degree 64, in ms; it scales with degree^TP_OVERHEAD_EXPONENT. */
  readonly prefillOverheadMsAtTp64: number;
  /** The fixed cost of a decode step at tensor-parallel degree 64, in ms; it scales the same way. */
  readonly stepOverheadMsAtTp64: number;
  /** Fraction of the replica's HBM bandwidth a decode step's reads reach. */
  readonly memoryBandwidthUtilisation: number;
  /** Step time each sequence beyond the first adds (sampling, per-sequence attention), in ms. */
  readonly perSequenceStepMs: number;
  /** The published figures the constants were fitted to. */
  readonly fittedTo: string;
}

/**
 * What a vLLM server adds to a prompt's time to first token (HTTP, tokenization, scheduling), in ms.
 * Fitted, with TRAINIUM2's prefill constants, to the vLLM-served Trn2 TTFTs of PUBLISHED_FIGURES
 * (Llama 3.3 70B at TP 64 with 512- to 12,288-token buckets, 3.1 405B at TP 64, 3.1 8B at TP 8):
 * the spread of tensor-parallel degrees separates it from the pass overhead.
 */
export const SERVER_OVERHEAD_MS = 18;

/**
 * How a pass's fixed cost grows with the tensor-parallel degree: degree^0.5, as the hops of a
 * collective on Trainium2's 4x4 torus grow with the square root of the chips. Fitted to the Trn2
 * TPOTs at TP 8 (Llama 3.1 8B) and TP 64 (Llama 3.3 70B, 3.1 405B); 0.4 to 0.6 fit within 15%.
 */
export const TP_OVERHEAD_EXPONENT = 0.5;

/** vLLM's `max_num_seqs` for the OpenAI server (vllm/engine/arg_utils.py `get_batch_defaults`); the fleets do not set it. */
export const VLLM_DEFAULT_MAX_NUM_SEQS = 256;
/** vLLM's `gpu_memory_utilization` default: the share of device memory for weights and KV. */
export const VLLM_MEMORY_UTILISATION = 0.9;

/**
 * Trainium2. Prefill (utilisation 0.44, scale 0.0142, pass 50 ms at TP 64) fitted to the Trn2 TTFTs
 * of PUBLISHED_FIGURES: Llama 3.3 70B at TP 64 (10k-token prompts, both versions of the tutorial's
 * table; HumanEval and 1k sonnet prompts of the prefix-caching table), Llama 3.1 405B at TP 64 and
 * Llama 3.1 8B at TP 8. Decode (step 16 ms at TP 64, 75% of HBM bandwidth) fitted to the TPOTs of the
 * same runs. No Trn2 batch sweep is published: the per-sequence step cost is Trainium1's.
 */
export const TRAINIUM2_CALIBRATION: TrainiumCalibration = {
  generation: 'Trainium2',
  prefillUtilisation: 0.44,
  tensorParallelScale: 0.0142,
  prefillOverheadMsAtTp64: 50,
  stepOverheadMsAtTp64: 16,
  memoryBandwidthUtilisation: 0.75,
  perSequenceStepMs: 0.3,
  fittedTo:
    'Neuron Trn2 tutorials on trn2.48xlarge (Llama 3.3 70B and 3.1 405B at TP 64, BF16, batch 1, 10k-token prompts; ' +
    'the Llama 3.3 70B prefix-caching table without cache hits) and the vllm-neuron Llama 3.1 8B EAGLE3 tutorial (TP 8, baseline); ' +
    'per-sequence step cost from Trainium1',
};

/**
 * Trainium1 (Transformers NeuronX 2.18 benchmarks, in-process, TP 32 only). Prefill (utilisation
 * 0.22, pass 18 ms at TP 64) and decode (step 7.4 ms at TP 64, 49% of HBM bandwidth, 0.3 ms per
 * sequence beyond the first) fitted to the trn1.32xlarge rows of PUBLISHED_FIGURES: Llama-3-70B
 * (the shape of Llama 3.1 70B) at batch 1 and 4, Llama-3-8B (int8 weights) at batch 1 and 8. With one
 * degree published, the tensor-parallel scale is Trainium2's.
 */
export const TRAINIUM1_CALIBRATION: TrainiumCalibration = {
  generation: 'Trainium1',
  prefillUtilisation: 0.22,
  tensorParallelScale: TRAINIUM2_CALIBRATION.tensorParallelScale,
  prefillOverheadMsAtTp64: 18,
  stepOverheadMsAtTp64: 7.4,
  memoryBandwidthUtilisation: 0.49,
  perSequenceStepMs: 0.3,
  fittedTo:
    'Neuron trn1.32xlarge benchmarks (about-neuron/benchmarks/trn1, Neuron 2.18.1, TP 32): Llama-3-70B batch 1 and 4, ' +
    'Llama-3-8B (int8 weights) batch 1 and 8; tensor-parallel scale from Trainium2',
};

/** The calibration of a Trainium generation. @throws for a chip no published figure covers. */
export function trainiumCalibration(accelerator: AcceleratorSpec): TrainiumCalibration {
  if (accelerator === TRAINIUM2) return TRAINIUM2_CALIBRATION;
  if (accelerator === TRAINIUM1) return TRAINIUM1_CALIBRATION;
  throw new Error(`No timing calibration for ${accelerator.name}: no published inference figures cover it.`);
}

/** The CS-3's fitted constants. */
export interface Cs3Calibration {
  /** Fraction of the CS-3's 125 PFLOPS (a disputed peak) prompt processing reaches. */
  readonly promptUtilisation: number;
  /** Fixed time to first token of the public endpoint, in ms (its network round trip included). */
  readonly requestOverheadMs: number;
  readonly fittedTo: string;
}

export const CS3_CALIBRATION: Cs3Calibration = {
  promptUtilisation: 0.0767,
  requestOverheadMs: 155,
  fittedTo:
    'Cerebras Inference time to first token: Llama 3.1 405B 0.24 s (Cerebras, 2024-11, via Tom\'s Hardware) and ' +
    'Llama 3.3 70B about 170 ms (Artificial Analysis, quoted by Cerebras), both taken at Artificial Analysis\'s default ' +
    '1k-token prompt. Measured from outside Cerebras\'s network, so the overhead includes an internet round trip.',
};

/**
 * Concurrent streams one CS-3 endpoint serves at its published per-stream speed. Cerebras publishes
 * per-stream speeds only; this bound is an assumption, not a figure (the planner takes it as an input).
 */
export const CS3_DEFAULT_MAX_STREAMS = 32;
