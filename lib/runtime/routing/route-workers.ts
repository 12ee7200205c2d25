import { CacheKnowledge } from './cache-knowledge';
import type { ModelRoute } from './registry';
import type { DecodeRouteConfig } from './registry-config';
import type { Routing } from './routing';
import { WorkerPool } from './worker-pool';

/** The tier's decode workers: its `urls`, or its one `url`. */
export function decodeWorkerUrls(decode: DecodeRouteConfig): readonly string[] {
  return decode.urls && decode.urls.length > 0 ? decode.urls : [decode.url];
}

/**
 * One model's workers as the router keeps them: the prefill pool, a pool per decode tier, and what
 * the router knows of their prefix caches. Each pool has its own policy of the router's kind.
 */
export class RouteWorkers {
  public readonly prefill: WorkerPool;
  public readonly knowledge: CacheKnowledge;
  private readonly decodePools = new Map<DecodeRouteConfig, WorkerPool>();

  constructor(
    route: ModelRoute,
    private readonly coolDownMs: number,
    private readonly now: () => number,
    private readonly routing: Routing,
    prefixIndexBlocks?: number,
  ) {
    this.prefill = new WorkerPool(route.config.prefillUrls, coolDownMs, now, routing.policy());
    this.knowledge = new CacheKnowledge(prefixIndexBlocks);
  }

  /** The pool of a decode tier's workers. */
  public decode(tier: DecodeRouteConfig): WorkerPool {
    let pool = this.decodePools.get(tier);
    if (!pool) {
      pool = new WorkerPool(decodeWorkerUrls(tier), this.coolDownMs, this.now, this.routing.policy());
      this.decodePools.set(tier, pool);
    }
    return pool;
  }
}
