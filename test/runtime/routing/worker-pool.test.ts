import type { RoutingPolicy, WorkerLoad } from '../../../lib/runtime/routing/routing-policy';
import { WorkerPool } from '../../../lib/runtime/routing/worker-pool';

test('picks the least-loaded worker and skips ones already tried', () => {
  const pool = new WorkerPool(['a', 'b', 'c'], 1000);
  pool.acquire('a');
  pool.acquire('b');
  expect(pool.pick(new Set())).toBe('c');
  expect(['a', 'b']).toContain(pool.pick(new Set(['c'])));
  expect(pool.pick(new Set(['a', 'b', 'c']))).toBeUndefined();
});

test('a failed worker sits out its cool-down, then comes back; when all are cooling the oldest failure is tried', () => {
  let now = 0;
  const pool = new WorkerPool(['a', 'b'], 1000, () => now);
  pool.markFailed('a');
  for (let i = 0; i < 10; i++) expect(pool.pick(new Set())).toBe('b');
  now = 100;
  pool.markFailed('b');
  expect(pool.pick(new Set())).toBe('a');
  now = 1050;
  expect(pool.pick(new Set())).toBe('a');
  now = 1200;
  pool.acquire('a');
  expect(pool.pick(new Set())).toBe('b');
});

test('releasing twice counts once', () => {
  const pool = new WorkerPool(['a', 'b'], 1000);
  const release = pool.acquire('a');
  release();
  release();
  pool.acquire('b');
  expect(pool.pick(new Set())).toBe('a');
});

test('the pool takes its workers from the directory: those that stay keep their load and cool-down, those that leave are forgotten', () => {
  let now = 0;
  const failures: string[] = [];
  const seen: WorkerLoad[][] = [];
  const recording: RoutingPolicy = { choose: (candidates) => (seen.push([...candidates]), candidates[0]) };
  const pool = new WorkerPool(['http://lb:8000'], 1000, () => now, recording, (url) => failures.push(url));
  pool.setWorkers([{ url: 'a', load: { running: 2, waiting: 5 } }, { url: 'b' }, { url: 'c' }]);
  expect(pool.size).toBe(3);
  pool.acquire('b');
  pool.markFailed('c');
  expect(failures).toEqual(['c']);
  expect(pool.pick(new Set())).toBe('a');
  expect(seen[0]).toEqual([
    { url: 'a', inFlight: 0, reported: { running: 2, waiting: 5 } },
    { url: 'b', inFlight: 1 },
  ]);

  // 'a' drops out, 'd' joins; 'c' is still cooling down, 'b' still has its request in flight.
  pool.setWorkers([{ url: 'b', load: { running: 1, waiting: 0 } }, { url: 'c' }, { url: 'd' }]);
  now = 500;
  pool.pick(new Set());
  expect(seen[1]).toEqual([
    { url: 'b', inFlight: 1, reported: { running: 1, waiting: 0 } },
    { url: 'd', inFlight: 0 },
  ]);
  expect(pool.pick(new Set(['b', 'c', 'd']))).toBeUndefined();
  expect(pool.pick(new Set(['b', 'd']))).toBe('c'); // all others tried: the cooling one rather than none
});
