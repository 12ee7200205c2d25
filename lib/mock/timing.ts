import { CEREBRAS_CS3, getInstanceTypeSpec, InstanceTypeSpec, kvCacheBytes, ModelSpec } from '../hardware';

/**
 * How long each stage of the mock pipeline takes. `none` answers as fast as the host can (for
 * tests and the benchmark); `realistic` follows the hardware catalog and the model's shape.
 */
export interface TimingModel {
  /** Prefill compute for a prompt on the prefill instance. */
  prefillMs(promptTokens: number): number;
  /** Moving the prompt's (full-size) KV cache from the prefill instance to the decode engine. */
  kvTransferMs(promptTokens: number): number;
  /** Decode compute for a prompt the decode engine must process itself (prompt replay). */
  replayPrefillMs(promptTokens: number): number;
  /** One output token on the decode engine. */
  decodeTokenMs(): number;
}

/**
 * Fraction of peak dense BF16 throughput prefill reaches (model FLOPs utilisation). Prefill is
 * compute-bound; 40% is a typical figure for large-batch transformer inference, an assumption.
 */
export const PREFILL_MFU = 0.4;
/**
 * Fraction of the CS-3's 125 PFLOPS peak assumed for prompt processing on the wafer. The peak's
 * precision is disputed (see CEREBRAS_CS3), so this is deliberately conservative; an assumption.
 */
export const CS3_PREFILL_UTILISATION = 0.1;

export class Timing {
  /** No simulated time at all. */
  public static readonly NONE: TimingModel = {
    prefillMs: () => 0,
    kvTransferMs: () => 0,
    replayPrefillMs: () => 0,
    decodeTokenMs: () => 0,
  };

  /**
   * Times from the catalog: prefill = 2 x active parameters x prompt tokens FLOPs over the prefill
   * instance's chips at PREFILL_MFU (a mixture of experts computes with its active experts only);
   * KV transfer = the prompt's KV cache (`kvCacheBytes`) over the instance's measured KV egress;
   * decode = the published CS-3 tokens per second for the model.
   */
  public static realistic(model: ModelSpec, prefillInstanceType: InstanceTypeSpec | string = 'trn2.48xlarge'): TimingModel {
    const instance = typeof prefillInstanceType === 'string' ? getInstanceTypeSpec(prefillInstanceType) : prefillInstanceType;
    const flopsPerToken = 2 * model.activeParametersBillions * 1e9;
    const prefillFlops = instance.chips * instance.accelerator.denseBf16Tflops * 1e12 * PREFILL_MFU;
    const cs3Flops = CEREBRAS_CS3.denseBf16Tflops * 1e12 * CS3_PREFILL_UTILISATION;
    return {
      prefillMs: (tokens) => (tokens * flopsPerToken * 1000) / prefillFlops,
      kvTransferMs: (tokens) => (kvCacheBytes(model, tokens) * 1000) / (instance.kvTransferGBps * 1e9),
      replayPrefillMs: (tokens) => (tokens * flopsPerToken * 1000) / cs3Flops,
      decodeTokenMs: () => 1000 / model.cs3DecodeTokensPerSecond,
    };
  }
}

/**
 * Paces a stream to `perTokenMs` by the clock rather than one timer per token (timers cannot
 * wait less than a millisecond; the CS-3 emits a token every half millisecond or so).
 */
export class TokenPacer {
  private readonly start = performance.now();

  constructor(private readonly perTokenMs: number) {}

  /** How long to wait before sending token `index` (0-based). */
  public delayBefore(index: number): number {
    if (this.perTokenMs <= 0) return 0;
    const due = this.start + (index + 1) * this.perTokenMs;
    const wait = due - performance.now();
    return wait >= 1 ? wait : 0;
  }
}
