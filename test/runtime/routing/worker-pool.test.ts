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
