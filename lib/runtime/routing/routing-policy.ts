import type { ReportedLoad } from './worker-directory';

/** One worker as a routing policy sees it: where it is, how loaded, what it reports, and what the router knows it caches of the request. */
export interface WorkerLoad {
  readonly url: string;
  /** Requests this router has in flight on the worker. */
  readonly inFlight: number;
  /**
   * The worker's own figures (every router's requests), when its directory read them. A Lambda
   * router's own `inFlight` is at most one, so deployed, this is the load that tells workers apart.
   */
  readonly reported?: ReportedLoad;
  /** Tokens of work this router has in flight on the worker: the uncached prompt tokens of its requests there. */
  readonly activeTokens?: number;
  /**
   * Tokens of this request's prompt the router expects the worker to serve from its prefix cache,
   * from what it sent there and what the worker reported; undefined when it knows nothing of it.
   */
  readonly cachedTokens?: number;
}

/** What a policy may know of the request it places (the planner's simulation knows no prompts). */
export interface RoutingRequest {
  /** The prompt's size, in tokens (the router's estimate). */
  readonly promptTokens: number;
  /** The conversation's name: the same for each of its turns in every router instance (a hash of its opening). */
  readonly affinity: number;
}

/**
 * How the router chooses among the workers it may use for a request (healthy ones it has not
 * tried yet). The router's worker pools (prefill, and each decode tier) and the planner's simulation
 * all pick through this, so a policy's choices show in the plan.
 */
export interface RoutingPolicy {
  /** Picks one of `candidates`, which is never empty. */
  choose(candidates: readonly WorkerLoad[], request?: RoutingRequest): WorkerLoad;
}

/**
 * A worker's load in requests: what it reports running and waiting (every router's requests), or
 * this router's own count when that is higher (the report is up to the directory's load lifetime old).
 */
export function loadOf(worker: WorkerLoad): number {
  const reported = worker.reported ? worker.reported.running + worker.reported.waiting : 0;
  return Math.max(worker.inFlight, reported);
}

/**
 * The least-loaded worker; ties go to a random one (reservoir sampling, so idle workers share
 * the work). `random` is injectable so a simulation can be seeded.
 */
export class LeastLoadedPolicy implements RoutingPolicy {
  constructor(private readonly random: () => number = Math.random) {}

  public choose(candidates: readonly WorkerLoad[]): WorkerLoad {
    let best = candidates[0];
    let bestLoad = loadOf(best);
    let ties = 1;
    for (let i = 1; i < candidates.length; i++) {
      const candidate = candidates[i];
      const load = loadOf(candidate);
      if (load < bestLoad) {
        best = candidate;
        bestLoad = load;
        ties = 1;
      } else if (load === bestLoad && this.random() * ++ties < 1) {
        best = candidate;
      }
    }
    return best;
  }
}

/**
 * Each worker in turn, whatever its load or cache (what vLLM's disaggregated-serving example proxy
 * does: `itertools.cycle` over its prefill and decode instances, examples/online_serving/
 * disaggregated_serving/disagg_proxy_demo.py). The turn counts over the candidates offered, so a
 * worker left out (cooling down, tried already) passes its turn on.
 */
export class RoundRobinPolicy implements RoutingPolicy {
  private next = 0;

  public choose(candidates: readonly WorkerLoad[]): WorkerLoad {
    const chosen = candidates[this.next % candidates.length];
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return chosen;
  }
}
