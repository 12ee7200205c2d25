/** One worker as a routing policy sees it: where it is and how much this router has sent it. */
export interface WorkerLoad {
  readonly url: string;
  /** Requests this router has in flight on the worker. */
  readonly inFlight: number;
}

/**
 * How the router chooses among the workers it may use for a request (healthy ones it has not
 * tried yet). The router's worker pool and the planner's simulation both pick through this, so
 * a policy's choices show in the plan.
 */
export interface RoutingPolicy {
  /** Picks one of `candidates`, which is never empty. */
  choose(candidates: readonly WorkerLoad[]): WorkerLoad;
}

/**
 * The least-loaded worker; ties go to a random one (reservoir sampling, so idle workers share
 * the work). `random` is injectable so a simulation can be seeded.
 */
export class LeastLoadedPolicy implements RoutingPolicy {
  constructor(private readonly random: () => number = Math.random) {}

  public choose(candidates: readonly WorkerLoad[]): WorkerLoad {
    let best = candidates[0];
    let ties = 1;
    for (let i = 1; i < candidates.length; i++) {
      const candidate = candidates[i];
      if (candidate.inFlight < best.inFlight) {
        best = candidate;
        ties = 1;
      } else if (candidate.inFlight === best.inFlight && this.random() * ++ties < 1) {
        best = candidate;
      }
    }
    return best;
  }
}
