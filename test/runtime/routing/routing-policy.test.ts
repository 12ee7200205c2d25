import { LeastLoadedPolicy, RoutingPolicy, WorkerLoad } from '../../../lib/runtime/routing/routing-policy';
import { WorkerPool } from '../../../lib/runtime/routing/worker-pool';

const loads = (...inFlight: number[]): WorkerLoad[] => inFlight.map((n, i) => ({ url: `w${i}`, inFlight: n }));

test('least-loaded picks the worker with the fewest requests in flight', () => {
  expect(new LeastLoadedPolicy().choose(loads(3, 1, 2)).url).toBe('w1');
});

test('least-loaded breaks ties with its random source, so a seeded one decides the same way every time', () => {
  const pick = (random: () => number) => new LeastLoadedPolicy(random).choose(loads(0, 5, 0, 0)).url;
  // Reservoir sampling: a draw below 1/k takes the k-th tied worker.
  expect(pick(() => 0.99)).toBe('w0');
  expect(pick(() => 0)).toBe('w3');
  const draws = [0.9, 0.1];
  expect(pick(() => draws.shift()!)).toBe('w3');
});

test('the pool offers the policy only healthy, untried workers, with their loads', () => {
  let now = 0;
  const seen: WorkerLoad[][] = [];
  const recording: RoutingPolicy = { choose: (candidates) => (seen.push([...candidates]), candidates[candidates.length - 1]) };
  const pool = new WorkerPool(['a', 'b', 'c', 'd'], 1000, () => now, recording);
  pool.acquire('b');
  pool.markFailed('c');
  expect(pool.pick(new Set(['a']))).toBe('d');
  expect(seen[0]).toEqual([
    { url: 'b', inFlight: 1 },
    { url: 'd', inFlight: 0 },
  ]);
  now = 2000;
  expect(pool.pick(new Set())).toBe('d');
  expect(seen[1].map((w) => w.url)).toEqual(['a', 'b', 'c', 'd']);
});
