import { LeastLoadedPolicy, RoutingPolicy, WorkerLoad } from './routing-policy';

/**
 * The router's view of one model's prefill workers: how many requests each has in flight from
 * this router, and which failed recently. The routing policy chooses among the healthy workers
 * not yet tried (least-loaded by default); a worker that failed sits out a cool-down unless
 * every worker is in one.
 */
export class WorkerPool {
  private readonly inFlight = new Map<string, number>();
  private readonly unhealthyUntil = new Map<string, number>();

  constructor(
    private readonly urls: readonly string[],
    private readonly coolDownMs: number,
    private readonly now: () => number = Date.now,
    private readonly policy: RoutingPolicy = new LeastLoadedPolicy(),
  ) {
    for (const url of urls) this.inFlight.set(url, 0);
  }

  /** The next worker to try, never one in `exclude`; undefined when all were tried. */
  public pick(exclude: ReadonlySet<string>): string | undefined {
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
      candidates.push({ url, inFlight: this.inFlight.get(url) ?? 0 });
    }
    // All cooling down: try the one that failed longest ago rather than refuse outright.
    return candidates.length > 0 ? this.policy.choose(candidates).url : coolest;
  }

  /** Counts a request against a worker until the returned function is called. */
  public acquire(url: string): () => void {
    this.inFlight.set(url, (this.inFlight.get(url) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight.set(url, (this.inFlight.get(url) ?? 1) - 1);
    };
  }

  public markFailed(url: string): void {
    this.unhealthyUntil.set(url, this.now() + this.coolDownMs);
  }

  public markHealthy(url: string): void {
    this.unhealthyUntil.delete(url);
  }

  public get size(): number {
    return this.urls.length;
  }
}
