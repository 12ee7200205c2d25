import { DEFAULT_LOAD_FACTOR, rendezvousChoice, rendezvousOrder } from './rendezvous';
import { LeastLoadedPolicy, loadOf, type RoutingPolicy, type RoutingRequest, type WorkerLoad } from './routing-policy';

export interface PrefixAwareOptions {
  /**
   * What a token of work already in flight on a worker weighs against a token of this request's
   * prompt the worker would have to compute (or pull). @default 1
   */
  readonly loadWeight?: number;
  /** The bounded-load rule of the rendezvous placement (see rendezvous.ts). @default 1.25 */
  readonly loadFactor?: number;
  /** Tie-breaks of the least-loaded choice for requests with no prompt to key on (the simulation's). @default Math.random */
  readonly random?: () => number;
}

/**
 * The cached-prefix length a request would hit on each worker, weighed against the worker's load
 * (the router's default policy, for prefill and decode workers alike).
 *
 * When the router knows more of the prompt to be cached on some worker than on the others, each
 * worker costs the tokens of the prompt it lacks (to compute, or for a decode worker to pull) plus
 * `loadWeight` times the tokens of work in flight on it, and the cheapest wins. Both terms are
 * tokens of prefill ahead of the request's first token, so the weight 1 counts a token waiting in
 * the queue like a token of its own compute: that is Dynamo's KV router cost, `overlap_score_weight
 * * prefill_blocks + decode_blocks` with its default weight 1 (ai-dynamo/dynamo
 * docs/architecture/kv_cache_routing.md; its worked example, workers with (cached, prefill, decode)
 * blocks (2,8,10), (5,5,5), (8,2,9), costs 18, 10 and 11: the second wins). Load the worker reports
 * beyond this router's own requests counts at this router's mean tokens per request there, or, where
 * it has none there, at this request's own new part (what its best-cached worker lacks): most requests
 * of a multi-turn workload are turns of conversations their worker holds, and a report can be up to
 * the directory's load lifetime old, so counting each as a whole prompt would drive conversations off
 * the workers that hold them (a Lambda router, whose own in-flight count is at most one, always would).
 *
 * When the router knows nothing that tells the workers apart (a conversation it has not seen; what
 * every worker caches, such as a shared system prompt, tells nothing), the request goes to the
 * worker rendezvous hashing of the conversation's opening ranks first among those within the
 * bounded load: every router instance, with no memory shared, sends the same conversation to the
 * same worker. Ties of cost fall to the rendezvous order too, so the policy is deterministic.
 */
export class PrefixAwarePolicy implements RoutingPolicy {
  private readonly loadWeight: number;
  private readonly loadFactor: number;
  private readonly leastLoaded: LeastLoadedPolicy;

  constructor(options: PrefixAwareOptions = {}) {
    this.loadWeight = options.loadWeight ?? 1;
    this.loadFactor = options.loadFactor ?? DEFAULT_LOAD_FACTOR;
    this.leastLoaded = new LeastLoadedPolicy(options.random);
  }

  public choose(candidates: readonly WorkerLoad[], request?: RoutingRequest): WorkerLoad {
    if (!request) return this.leastLoaded.choose(candidates);
    const cached = cachedRange(candidates);
    // No worker is known to hold more of the prompt than another: nothing to weigh.
    if (cached.most <= cached.least) return rendezvousChoice(candidates, request.affinity, this.loadFactor);
    const newTokens = Math.max(1, request.promptTokens - cached.most);
    let best = candidates[0];
    let bestCost = Infinity;
    for (const candidate of rendezvousOrder(candidates, request.affinity)) {
      const cost = Math.max(0, request.promptTokens - (candidate.cachedTokens ?? 0)) + this.loadWeight * loadTokens(candidate, request, newTokens);
      if (cost < bestCost) {
        best = candidate;
        bestCost = cost;
      }
    }
    return best;
  }
}

/** The least and the most of the prompt the router knows a candidate to cache, in tokens. */
function cachedRange(candidates: readonly WorkerLoad[]): { least: number; most: number } {
  let least = Infinity;
  let most = 0;
  for (const candidate of candidates) {
    const cached = candidate.cachedTokens ?? 0;
    least = Math.min(least, cached);
    most = Math.max(most, cached);
  }
  return { least, most };
}

/**
 * Tokens of work in flight on a worker: this router's (its requests' uncached tokens, or the
 * request's size per request where the pool does not count tokens), and the worker's reported
 * requests beyond those at this router's mean per request there, or at `newTokens` where it has none.
 */
function loadTokens(worker: WorkerLoad, request: RoutingRequest, newTokens: number): number {
  const own = worker.activeTokens ?? worker.inFlight * request.promptTokens;
  const perRequest = worker.inFlight > 0 ? own / worker.inFlight : newTokens;
  return own + (loadOf(worker) - worker.inFlight) * perRequest;
}
