import type { LatencyTier } from './generation';
import type { ModelRoute } from './registry';
import type { DecodeRouteConfig } from './registry-config';

/** A decode route and the latency tier it serves. */
export interface DecodeTier {
  readonly latency: LatencyTier;
  readonly decode: DecodeRouteConfig;
}

/**
 * Which decode route serves a request: `optimized` asks for the model's optimized route and falls
 * back to the standard one when the model has none, or when the optimized one failed recently
 * (it sits out a cool-down, as a failed prefill worker does), as Bedrock falls back to standard
 * latency. The router also falls back, within the request, when the optimized route refuses it
 * (429) or fails before the first token.
 */
export class DecodeTiers {
  private readonly unhealthyUntil = new Map<string, number>();

  constructor(
    private readonly coolDownMs: number,
    private readonly now: () => number,
  ) {}

  /** The routes to try, in order. */
  public plan(route: ModelRoute, latency: LatencyTier): DecodeTier[] {
    const standard: DecodeTier = { latency: 'standard', decode: route.config.decode };
    const optimized = route.config.optimizedDecode;
    if (latency !== 'optimized' || !optimized || (this.unhealthyUntil.get(optimized.url) ?? 0) > this.now()) return [standard];
    return [{ latency: 'optimized', decode: optimized }, standard];
  }

  public markFailed(decode: DecodeRouteConfig): void {
    this.unhealthyUntil.set(decode.url, this.now() + this.coolDownMs);
  }

  public markHealthy(decode: DecodeRouteConfig): void {
    if (this.unhealthyUntil.size > 0) this.unhealthyUntil.delete(decode.url);
  }
}
