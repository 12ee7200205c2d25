import { LeastLoadedPolicy, RoutingPolicy, RoutingRequest, WorkerLoad } from './routing-policy';
import type { DirectoryWorker, ReportedLoad } from './worker-directory';

/** A request as the pool places it: what the policy may know of it, and what the router expects each worker to have cached of it. */
export interface PoolRequest extends RoutingRequest {
  /** Per worker, the prompt tokens the router expects it to serve from its prefix cache (workers left out: none). */
  readonly cachedTokens?: ReadonlyMap<string, number>;
}

/**
 * The router's view of one pool of workers (a model's prefill workers, or the decode workers of one
 * of its tiers): how many requests, and how many tokens of work, each has in flight from this router,
 * which failed recently, and what they report of their own load. The routing policy chooses among
 * the healthy workers not yet tried (least-loaded by default); a worker that failed sits out a
 * cool-down unless every worker is in one. The workers themselves come from a `WorkerDirectory`
 * (`setWorkers`), which may change them between requests.
 */
export class WorkerPool {
  private readonly inFlight = new Map<string, number>();
  private readonly activeTokens = new Map<string, number>();
  private readonly unhealthyUntil = new Map<string, number>();
  private reported = new Map<string, ReportedLoad>();
  private urls: readonly string[];

  constructor(
    urls: readonly string[],
    private readonly coolDownMs: number,
    private readonly now: () => number = Date.now,
    private readonly policy: RoutingPolicy = new LeastLoadedPolicy(),
    /** Told of every failure, so the directory the workers came from can look again. */
    private readonly onFailure?: (url: string) => void,
  ) {
    this.urls = urls;
    for (const url of urls) this.inFlight.set(url, 0);
  }

  /**
   * Takes the directory's current workers and their reported loads. What the pool knows of a worker
   * that stays (requests in flight, a cool-down) is kept; of one that left, forgotten once it has
   * nothing in flight, so the pool's memory follows the fleet.
   */
  public setWorkers(workers: readonly DirectoryWorker[]): void {
    this.urls = workers.map((w) => w.url);
    const current = new Set(this.urls);
    for (const [url, count] of this.inFlight) {
      if (current.has(url) || count > 0) continue;
      this.inFlight.delete(url);
      this.activeTokens.delete(url);
    }
    for (const url of this.unhealthyUntil.keys()) if (!current.has(url)) this.unhealthyUntil.delete(url);
    this.reported = new Map(workers.flatMap((w) => (w.load ? [[w.url, w.load] as const] : [])));
  }

  /** The next worker to try, never one in `exclude`; undefined when all were tried. */
  public pick(exclude: ReadonlySet<string>, request?: PoolRequest): string | undefined {
    const now = this.now();
    const candidates: WorkerLoad[] = [];
    let coolest: string | undefined;
    let coolestUntil = Infinity;
    for (const url of this.urls) {
      if (exclude.has(url)) continue;
      const until = this.unhealthyUntil.get(url) ?? 0;
      if (until > now) {
        if (until < coolestUntil) {
          coolest = url;
          coolestUntil = until;
        }
        continue;
      }
      const reported = this.reported.get(url);
      const load: WorkerLoad = reported ? { url, inFlight: this.inFlight.get(url) ?? 0, reported } : { url, inFlight: this.inFlight.get(url) ?? 0 };
      candidates.push(request ? { ...load, activeTokens: this.activeTokens.get(url) ?? 0, cachedTokens: request.cachedTokens?.get(url) } : load);
    }
    // All cooling down: try the one that failed longest ago rather than refuse outright.
    return candidates.length > 0 ? this.policy.choose(candidates, request).url : coolest;
  }

  /** Counts a request (and `tokens` of work it brings) against a worker until the returned function is called. */
  public acquire(url: string, tokens = 0): () => void {
    this.inFlight.set(url, (this.inFlight.get(url) ?? 0) + 1);
    this.activeTokens.set(url, (this.activeTokens.get(url) ?? 0) + tokens);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight.set(url, (this.inFlight.get(url) ?? 1) - 1);
      this.activeTokens.set(url, (this.activeTokens.get(url) ?? tokens) - tokens);
    };
  }

  public markFailed(url: string): void {
    this.unhealthyUntil.set(url, this.now() + this.coolDownMs);
    this.onFailure?.(url);
  }

  public markHealthy(url: string): void {
    this.unhealthyUntil.delete(url);
  }

  public get size(): number {
    return this.urls.length;
  }

  /** Every worker of the pool, healthy or not. */
  public get workers(): readonly string[] {
    return this.urls;
  }
}
