import { CacheKnowledge } from './cache-knowledge';
import type { ModelRoute } from './registry';
import type { DecodeRouteConfig } from './registry-config';
import type { Routing } from './routing';
import type { WorkerDirectory } from './worker-directory';
import { WorkerPool } from './worker-pool';

/** The pools one request picks from: the model's prefill workers and its decode tier's workers. */
export interface RequestPools {
  readonly prefill: WorkerPool;
  readonly decode: WorkerPool;
}

/**
 * One model's workers as the router keeps them: the prefill pool, a pool per decode tier, and what
 * the router knows of their prefix caches. Each pool has its own policy of the router's kind, and
 * takes its workers from the directory (the registry's URLs, or the hosts discovered deployed)
 * whenever a request asks for it.
 */
export class RouteWorkers {
  public readonly knowledge: CacheKnowledge;
  private readonly prefill: WorkerPool;
  private readonly decodePools = new Map<DecodeRouteConfig, WorkerPool>();

  constructor(
    private readonly route: ModelRoute,
    private readonly directory: WorkerDirectory,
    private readonly coolDownMs: number,
    private readonly now: () => number,
    private readonly routing: Routing,
    prefixIndexBlocks?: number,
  ) {
    this.prefill = this.newPool(route.config.prefillUrls);
    this.knowledge = new CacheKnowledge(prefixIndexBlocks);
  }

  /** The prefill pool, with the directory's current workers. */
  public async prefillPool(): Promise<WorkerPool> {
    this.prefill.setWorkers(await this.directory.prefill(this.route));
    return this.prefill;
  }

  /** The prefill pool and the pool of a decode tier's workers, each with the directory's current workers. */
  public async pools(tier: DecodeRouteConfig): Promise<RequestPools> {
    let decode = this.decodePools.get(tier);
    if (!decode) {
      decode = this.newPool([]);
      this.decodePools.set(tier, decode);
    }
    const [prefillWorkers, decodeWorkers] = await Promise.all([this.directory.prefill(this.route), this.directory.decode(this.route, tier)]);
    this.prefill.setWorkers(prefillWorkers);
    decode.setWorkers(decodeWorkers);
    return { prefill: this.prefill, decode };
  }

  private newPool(urls: readonly string[]): WorkerPool {
    return new WorkerPool(urls, this.coolDownMs, this.now, this.routing.policy(), (url) => this.directory.reportFailure(url));
  }
}
