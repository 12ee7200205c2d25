import { CEREBRAS_CS3, ModelSpec } from '../../hardware';
import type { DecodeLimits } from '../engines/decode-batch';
import type { ServingEngine } from './serving-engine';
import { CS3_CALIBRATION, CS3_DEFAULT_MAX_STREAMS } from './calibration';
import { PrefillWork, prefillFlops } from './model-arithmetic';

/**
 * A Cerebras CS-3 endpoint serving one model. Its decode speed is the published one per stream,
 * whatever the batch (Cerebras publishes no batch or context dependence) up to `maxStreams`; its
 * prompt processing (prompt replay) is FLOPs at the calibrated share of the wafer's peak.
 */
export class Cs3Endpoint implements ServingEngine {
  constructor(
    public readonly model: ModelSpec,
    public readonly maxStreams: number = CS3_DEFAULT_MAX_STREAMS,
  ) {
    if (!Number.isInteger(maxStreams) || maxStreams < 1) throw new Error(`CS-3 max streams must be a positive integer; got ${maxStreams}.`);
  }

  /** One token per stream at the published speed. */
  public decodeStepMs(): number {
    return 1000 / this.model.cs3DecodeTokensPerSecond;
  }

  /** The CS-3 computing a prompt itself (prompt replay): the endpoint's overhead plus the FLOPs at the calibrated utilisation. */
  public prefillMs(work: PrefillWork): number {
    const flops = CEREBRAS_CS3.denseBf16Tflops * 1e12 * CS3_CALIBRATION.promptUtilisation;
    return CS3_CALIBRATION.requestOverheadMs + (prefillFlops(this.model, work) / flops) * 1000;
  }

  /** KV bytes per second the endpoint takes in: its system I/O off the wafer. */
  public get kvBandwidth(): number {
    return CEREBRAS_CS3.systemIoGBps * 1e9;
  }

  /** Streams, not KV memory, bound a CS-3 here: no public figure says where its KV lives. */
  public get decodeLimits(): DecodeLimits {
    return { maxSequences: this.maxStreams, kvCapacityTokens: Number.POSITIVE_INFINITY };
  }
}
