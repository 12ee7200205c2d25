import type { DecodeLimits, DecodeLoad } from '../engines/decode-batch';
import type { PrefillWork } from './model-arithmetic';

/** What the timing rules know of one serving engine (a Trainium replica or a CS-3 endpoint). */
export interface ServingEngine {
  /** A prompt's time to first token on the engine, alone. */
  prefillMs(work: PrefillWork): number;
  /** One decode step for a batch. */
  decodeStepMs(load: DecodeLoad): number;
  /** What one decode batch on the engine holds. */
  readonly decodeLimits: DecodeLimits;
  /** KV bytes per second the engine sends or takes in. */
  readonly kvBandwidth: number;
}
