import { getModelSpec } from '../../lib/hardware';
import { DecodeTier, evaluateFleet, FleetSize, KvHandoff, LengthDistribution, plan, PlanInput, simulate } from '../../lib/planning';
import type { RoutingPolicy } from '../../lib/runtime/routing/routing-policy';

const LLAMA_70B = getModelSpec('llama-3.3-70b-instruct');

// A small workload: 4 requests/s of 4k-token prompts over Trainium prefill and a Trainium decode fleet.
const INPUT: PlanInput = {
  config: { model: LLAMA_70B, prefill: { instanceType: 'trn2.48xlarge' }, decode: DecodeTier.trainium('trn2.48xlarge'), kvHandoff: KvHandoff.PULL },
  workload: { requestsPerSecond: 4, inputTokens: LengthDistribution.fixed(4000), outputTokens: LengthDistribution.fixed(300) },
  slo: { ttft: { percentile: 90, ms: 800 }, tpot: { percentile: 90, ms: 25 } },
  fleet: { prefillHosts: 1, decodeHosts: 1 },
  simulation: { requests: 600, seed: 7 },
};

test('the recommendation meets the SLO in the simulation, and one host fewer in either tier does not', () => {
  const result = plan(INPUT);
  const recommended = result.recommended!;
  expect(recommended.meetsSlo).toBe(true);
  const { prefillHosts, decodeHosts } = recommended.fleet;
  expect(prefillHosts).toBeGreaterThan(1);
  expect(decodeHosts).toBeGreaterThan(1);
  const check = (fleet: FleetSize) => evaluateFleet(INPUT, fleet);
  expect(check({ prefillHosts, decodeHosts }).meetsSlo).toBe(true);
  expect(check({ prefillHosts: prefillHosts - 1, decodeHosts }).meetsSlo).toBe(false);
  expect(check({ prefillHosts, decodeHosts: decodeHosts - 1 }).meetsSlo).toBe(false);
  // The given 1:1 fleet is overloaded: it misses the SLO and almost nothing meets it.
  expect(result.given.meetsSlo).toBe(false);
  expect(result.given.goodput).toBeLessThan(0.5);
  expect(recommended.goodput).toBeGreaterThan(3);
  // Trainium prices come from the catalog: 35.76 USD per trn2.48xlarge-hour.
  expect(recommended.cost.usdPerHour).toBeCloseTo(35.76 * (prefillHosts + decodeHosts), 6);
});

test('the simulation is deterministic for a seed, and the seed changes the traffic', () => {
  const fleet = { prefillHosts: 2, decodeHosts: 3 };
  const a = simulate(INPUT.config, fleet, INPUT.workload, { requests: 200, seed: 3 });
  const b = simulate(INPUT.config, fleet, INPUT.workload, { requests: 200, seed: 3 });
  const c = simulate(INPUT.config, fleet, INPUT.workload, { requests: 200, seed: 4 });
  expect(b).toEqual(a);
  expect(c.outcomes[0].arrivalMs).not.toBe(a.outcomes[0].arrivalMs);
});

test("routing goes through the router's policy interface: a policy that sends everything to one host loads it alone", () => {
  const first: RoutingPolicy = { choose: (candidates) => candidates[0] };
  const fleet = { prefillHosts: 4, decodeHosts: 3 };
  const spread = simulate(INPUT.config, fleet, INPUT.workload, { requests: 200 });
  const pinned = simulate(INPUT.config, fleet, INPUT.workload, { requests: 200, routing: () => first });
  // Least-loaded spreads prompts over the four hosts; pinned, one host computes them all and they queue.
  const p90 = (r: typeof spread) => [...r.outcomes.map((o) => o.ttftMs)].sort((x, y) => x - y)[Math.floor(r.outcomes.length * 0.9)];
  expect(p90(pinned)).toBeGreaterThan(3 * p90(spread));
});

test('a prefix cache hit rate lowers the time to first token', () => {
  const fleet = { prefillHosts: 2, decodeHosts: 3 };
  const cold = evaluateFleet(INPUT, fleet);
  const warm = evaluateFleet(INPUT, fleet, { ...INPUT.workload, prefixCacheHitRate: 0.9 });
  expect(warm.ttftMs.p50).toBeLessThan(cold.ttftMs.p50 / 2);
});

test('an SLO a request alone cannot meet is unreachable, with the reason', () => {
  const result = plan({ ...INPUT, slo: { ttft: { percentile: 90, ms: 100 } } });
  expect(result.recommended).toBeUndefined();
  expect(result.unreachable).toMatch(/^a request alone takes \d+ ms to its first token at p90 of these prompts on this hardware: no fleet size meets TTFT <= 100 ms$/);
});

test('with prompt replay on a CS-3 the prefill fleet serves nothing: the recommendation has no prefill host; a CS-3 has no public price', () => {
  const result = plan({
    ...INPUT,
    config: { ...INPUT.config, decode: DecodeTier.cs3(), kvHandoff: KvHandoff.REPLAY },
    workload: { ...INPUT.workload, requestsPerSecond: 2, inputTokens: LengthDistribution.fixed(2000) },
    slo: { ttft: { percentile: 90, ms: 1500 } },
  });
  expect(result.recommended!.fleet.prefillHosts).toBe(0);
  expect(result.recommended!.meetsSlo).toBe(true);
  expect(result.recommended!.cost.usdPerHour).toBeUndefined();
  expect(result.prices.decode.source).toBe('Cerebras publishes no CS-3 price: give one with --decode-usd-per-hour');
});

test('bad inputs are errors naming the field', () => {
  expect(() => plan({ ...INPUT, workload: { ...INPUT.workload, requestsPerSecond: 0 } })).toThrow('requestsPerSecond must be a positive number; got 0.');
  expect(() => plan({ ...INPUT, workload: { ...INPUT.workload, prefixCacheHitRate: 1 } })).toThrow('prefixCacheHitRate must be at least 0 and below 1; got 1.');
  expect(() => plan({ ...INPUT, slo: {} })).toThrow('The SLO needs a TTFT or a TPOT target (or both).');
  expect(() => plan({ ...INPUT, slo: { ttft: { percentile: 120, ms: 1 } } })).toThrow('The TTFT percentile must be above 0 and at most 100; got 120.');
  expect(() => LengthDistribution.parse('gamma:1:2')).toThrow("Not a length distribution 'gamma:1:2': use N, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEDIAN:SIGMA.");
});
