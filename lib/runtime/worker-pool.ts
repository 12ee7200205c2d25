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
    const candidates = this.urls.filter((url) => !exclude.has(url));
    if (candidates.length === 0) return undefined;
    const now = this.now();
    const healthy = candidates.filter((url) => (this.unhealthyUntil.get(url) ?? 0) <= now);
    if (healthy.length === 0) {
      // All cooling down: try the one that failed longest ago rather than refuse outright.
      return candidates.reduce((a, b) => ((this.unhealthyUntil.get(a) ?? 0) <= (this.unhealthyUntil.get(b) ?? 0) ? a : b));
    }
    // Least loaded; ties go to a random one so idle workers share the work.
    const least = Math.min(...healthy.map((url) => this.inFlight.get(url) ?? 0));
    const best = healthy.filter((url) => (this.inFlight.get(url) ?? 0) === least);
    return best[Math.floor(Math.random() * best.length)];
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
