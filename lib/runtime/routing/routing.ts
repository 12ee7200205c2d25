import { PrefixAwarePolicy } from './prefix-aware-policy';
import { LeastLoadedPolicy, RoundRobinPolicy, type RoutingPolicy } from './routing-policy';

/**
 * The routing policies the router offers by name (the mock CLI's `--routing`), each making a fresh
 * policy per pool of workers: a round-robin turn or a tie-break stream belongs to one pool.
 */
export class Routing {
  /** Each worker in turn (vLLM's example proxy). */
  public static readonly ROUND_ROBIN = new Routing('round-robin', () => new RoundRobinPolicy());
  /** The worker with the fewest requests in flight. */
  public static readonly LEAST_LOADED = new Routing('least-loaded', (random) => new LeastLoadedPolicy(random));
  /** The cached prefix a request would hit, weighed against load; rendezvous placement without knowledge. The default. */
  public static readonly PREFIX_AWARE = new Routing('prefix-aware', (random) => new PrefixAwarePolicy({ random }));

  public static readonly ALL: readonly Routing[] = [Routing.ROUND_ROBIN, Routing.LEAST_LOADED, Routing.PREFIX_AWARE];

  /** @throws naming the name and the choices */
  public static of(name: string): Routing {
    const found = Routing.ALL.find((r) => r.name === name);
    if (!found) throw new Error(`Unknown routing policy '${name}': use ${Routing.ALL.map((r) => r.name).join(', ')}.`);
    return found;
  }

  private constructor(
    public readonly name: string,
    private readonly make: (random: () => number) => RoutingPolicy,
  ) {}

  /** A new policy of this kind; `random` breaks its ties (seed it for a reproducible simulation). */
  public policy(random: () => number = Math.random): RoutingPolicy {
    return this.make(random);
  }
}

/** The router's policy unless told otherwise, and the planner's simulation's. */
export const DEFAULT_ROUTING = Routing.PREFIX_AWARE;
