import type { DecodeLimits, DecodeLoad } from '../engines/decode-batch';
import type { PrefillWork } from './model-arithmetic';
import type { ServingEngine } from './serving-engine';

/**
 * The stage times of the disaggregated pipeline: what the mock workers sleep and the planner's
 * simulation charges. One object, built by `servingTiming`, serves both.
 */
export interface ServingTiming {
  /** Prefill of `work` on a prefill worker, alone (queueing is the prefill queue's). */
  prefillMs(work: PrefillWork): number;
  /** Moving a prompt's KV (all `promptTokens` of it) from the prefill worker to the decode engine. */
  kvTransferMs(promptTokens: number): number;
  /** The decode engine computing a prompt itself (prompt replay). */
  replayPrefillMs(work: PrefillWork): number;
  /** One decode step of a batch. */
  decodeStepMs(load: DecodeLoad): number;
  /** What one decode batch holds. */
  readonly decodeLimits: DecodeLimits;
}

/** No simulated time at all: the mock answers as fast as the host can. */
export const NO_TIMING: ServingTiming = {
  prefillMs: () => 0,
  kvTransferMs: () => 0,
  replayPrefillMs: () => 0,
  decodeStepMs: () => 0,
  decodeLimits: { maxSequences: Number.POSITIVE_INFINITY, kvCapacityTokens: Number.POSITIVE_INFINITY },
};

/**
 * The calibrated times of a prefill engine and a decode engine for one model. The KV hand-off runs
 * at the slower of the two ends: the prefill replica's EFA egress and the decode engine's ingress.
 * `kvBytes` is the KV cache of a prompt of so many tokens (the catalog's `kvCacheBytes`: per token
 * for full-attention layers, at most the window for sliding-window ones).
 */
export function servingTiming(prefill: ServingEngine, decode: ServingEngine, kvBytes: (promptTokens: number) => number): ServingTiming {
  const kvBandwidth = Math.min(prefill.kvBandwidth, decode.kvBandwidth);
  return {
    prefillMs: (work) => prefill.prefillMs(work),
    kvTransferMs: (promptTokens) => (kvBytes(promptTokens) / kvBandwidth) * 1000,
    replayPrefillMs: (work) => decode.prefillMs(work),
    decodeStepMs: (load) => decode.decodeStepMs(load),
    decodeLimits: decode.decodeLimits,
  };
}
