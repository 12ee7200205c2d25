/**
 * The router's view of one model's prefill workers: how many requests each has in flight from
 * this router, and which failed recently. Picks the least-loaded healthy worker; a worker that
 * failed sits out a cool-down unless every worker is in one.
 */
export class WorkerPool {
  private readonly inFlight = new Map<string, number>();
  private readonly unhealthyUntil = new Map<string, number>();

  constructor(
    private readonly urls: readonly string[],
    private readonly coolDownMs: number,
    private readonly now: () => number = Date.now,
  ) {
    for (const url of urls) this.inFlight.set(url, 0);
  }

  /** The next worker to try, never one in `exclude`; undefined when all were tried. */
  public pick(exclude: ReadonlySet<string>): string | undefined {
    // One pass, no arrays: this runs on every request.
    const now = this.now();
    let best: string | undefined;
    let bestLoad = Infinity;
    let ties = 0;
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
      // Least loaded; ties go to a random one (reservoir sampling) so idle workers share the work.
      const load = this.inFlight.get(url) ?? 0;
      if (load < bestLoad) {
        best = url;
        bestLoad = load;
        ties = 1;
      } else if (load === bestLoad && Math.random() * ++ties < 1) {
        best = url;
      }
    }
    // All cooling down: try the one that failed longest ago rather than refuse outright.
    return best ?? coolest;
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
