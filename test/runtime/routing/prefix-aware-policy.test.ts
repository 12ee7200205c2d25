import { PrefixAwarePolicy } from '../../../lib/runtime/routing/prefix-aware-policy';
import { rendezvousChoice, rendezvousOrder, withinBoundedLoad } from '../../../lib/runtime/routing/rendezvous';
import { Routing } from '../../../lib/runtime/routing/routing';
import { LeastLoadedPolicy, loadOf, RoundRobinPolicy, type WorkerLoad } from '../../../lib/runtime/routing/routing-policy';

// Each policy's choice on constructed worker states: what the router knows each worker caches of
// the request, the work in flight on it, and the load it reports itself.

const idle = (url: string, extra: Partial<WorkerLoad> = {}): WorkerLoad => ({ url, inFlight: 0, activeTokens: 0, ...extra });
const WORKERS = ['http://p0', 'http://p1', 'http://p2', 'http://p3'];

test('round-robin takes each offered worker in turn, whatever its load or cache', () => {
  const policy = new RoundRobinPolicy();
  const candidates = [idle('a'), idle('b', { inFlight: 9 }), idle('c', { cachedTokens: 1000 })];
  expect([1, 2, 3, 4, 5].map(() => policy.choose(candidates).url)).toEqual(['a', 'b', 'c', 'a', 'b']);
});

test("a worker's load is its own report of running and waiting requests (every router's), or this router's count when higher", () => {
  expect(loadOf(idle('a', { inFlight: 2 }))).toBe(2);
  expect(loadOf(idle('a', { inFlight: 2, reported: { running: 5, waiting: 3 } }))).toBe(8);
  expect(loadOf(idle('a', { inFlight: 4, reported: { running: 1, waiting: 0 } }))).toBe(4);
  // Least-loaded reads the same load: the worker others keep busy is not the least loaded.
  expect(new LeastLoadedPolicy().choose([idle('a', { reported: { running: 6, waiting: 0 } }), idle('b', { inFlight: 1 })]).url).toBe('b');
});

test("prefix-aware: Dynamo's worked example (cached, uncached, in flight per worker) costs 18, 10 and 11: the second wins", () => {
  // ai-dynamo/dynamo docs/architecture/kv_cache_routing.md: cost = uncached prompt + work in flight.
  const policy = new PrefixAwarePolicy();
  const candidates = [
    idle('w1', { cachedTokens: 2, inFlight: 1, activeTokens: 10 }),
    idle('w2', { cachedTokens: 5, inFlight: 1, activeTokens: 5 }),
    idle('w3', { cachedTokens: 8, inFlight: 1, activeTokens: 9 }),
  ];
  expect(policy.choose(candidates, { promptTokens: 10, affinity: 7 }).url).toBe('w2');
});

test('prefix-aware: the worker holding the conversation wins while idle, and loses once the work queued on it outweighs the cache', () => {
  const policy = new PrefixAwarePolicy();
  const request = { promptTokens: 10_000, affinity: 42 };
  const holding = idle(WORKERS[2], { cachedTokens: 9000 });
  expect(policy.choose([idle(WORKERS[0]), idle(WORKERS[1]), holding], request).url).toBe(WORKERS[2]);
  // 1,000 tokens to compute there plus 12,000 queued ahead, against 10,000 on an idle worker.
  const busy = idle(WORKERS[2], { cachedTokens: 9000, inFlight: 2, activeTokens: 12_000 });
  expect(policy.choose([idle(WORKERS[0]), idle(WORKERS[1]), busy], request).url).not.toBe(WORKERS[2]);
  // A lighter queue does not: 1,000 + 8,000 is still cheaper than 10,000.
  const queued = idle(WORKERS[2], { cachedTokens: 9000, inFlight: 1, activeTokens: 8000 });
  expect(policy.choose([idle(WORKERS[0]), idle(WORKERS[1]), queued], request).url).toBe(WORKERS[2]);
});

test("prefix-aware counts the load a worker reports beyond this router's own requests (other router instances' work)", () => {
  const policy = new PrefixAwarePolicy();
  const request = { promptTokens: 10_000, affinity: 42 };
  // Others' requests count at this request's new part (1,000 tokens) each. Two queued on the holder:
  // 1,000 + 2,000 is still cheaper than 10,000 elsewhere; ten: 1,000 + 10,000 is not.
  const holding = idle(WORKERS[2], { cachedTokens: 9000, reported: { running: 1, waiting: 1 } });
  expect(policy.choose([idle(WORKERS[0]), holding], request).url).toBe(WORKERS[2]);
  const crowded = idle(WORKERS[2], { cachedTokens: 9000, reported: { running: 2, waiting: 8 } });
  expect(policy.choose([idle(WORKERS[0]), crowded], request).url).toBe(WORKERS[0]);
});

test("prefix-aware: a stale report of one request on the worker that holds a long conversation does not send the next turn elsewhere", () => {
  // A 30,000-token turn whose first 28,000 tokens the holder caches; its report (up to 2 s old) still counts a request.
  const request = { promptTokens: 30_000, affinity: 7 };
  const holder = idle(WORKERS[1], { cachedTokens: 28_000, reported: { running: 1, waiting: 0 } });
  expect(new PrefixAwarePolicy().choose([idle(WORKERS[0]), holder, idle(WORKERS[2])], request).url).toBe(WORKERS[1]);
});

test('prefix-aware without knowledge places a conversation by rendezvous hashing: the same worker in every router, whatever the order offered', () => {
  const policy = new PrefixAwarePolicy();
  const workers = WORKERS.map((url) => idle(url));
  // What every worker caches alike (a shared system prompt) tells them apart no more than nothing does.
  const shared = WORKERS.map((url) => idle(url, { cachedTokens: 8000 }));
  for (let affinity = 1; affinity <= 50; affinity++) {
    const request = { promptTokens: 20_000, affinity };
    const chosen = policy.choose(workers, request).url;
    expect(new PrefixAwarePolicy().choose([...workers].reverse(), request).url).toBe(chosen);
    expect(policy.choose(shared, request).url).toBe(chosen);
    expect(chosen).toBe(rendezvousOrder(workers, affinity)[0].url);
  }
  // Conversations spread over the workers.
  const counts = new Map<string, number>();
  for (let affinity = 1; affinity <= 400; affinity++) {
    const url = policy.choose(workers, { promptTokens: 1, affinity }).url;
    counts.set(url, (counts.get(url) ?? 0) + 1);
  }
  expect([...counts.keys()].sort()).toEqual(WORKERS);
  for (const count of counts.values()) expect(count).toBeGreaterThan(50);
});

test('rendezvous: a worker leaving moves only the conversations it ranked first', () => {
  const all = WORKERS.map((url) => idle(url));
  const without = all.filter((w) => w.url !== WORKERS[1]);
  for (let key = 1; key <= 200; key++) {
    const before = rendezvousOrder(all, key)[0].url;
    const after = rendezvousOrder(without, key)[0].url;
    if (before !== WORKERS[1]) expect(after).toBe(before);
  }
});

test('bounded load: the first-ranked worker above 1.25 times the mean load (this request counted) passes the conversation to the next', () => {
  const key = 9;
  const order = rendezvousOrder(WORKERS.map((url) => idle(url)), key).map((w) => w.url);
  const loaded = WORKERS.map((url) => idle(url, { inFlight: url === order[0] ? 4 : 1 }));
  // Total 7, mean with this request (7 + 1) / 4 = 2; 4 + 1 > 2.5.
  expect(withinBoundedLoad(loaded.find((w) => w.url === order[0])!, loaded)).toBe(false);
  expect(rendezvousChoice(loaded, key).url).toBe(order[1]);
  expect(new PrefixAwarePolicy().choose(loaded, { promptTokens: 100, affinity: key }).url).toBe(order[1]);
  // Within the bound it stays.
  const even = WORKERS.map((url) => idle(url, { inFlight: 1 }));
  expect(rendezvousChoice(even, key).url).toBe(order[0]);
  // Reported load counts too (what other router instances sent it).
  const reported = WORKERS.map((url) => idle(url, url === order[0] ? { reported: { running: 3, waiting: 3 } } : {}));
  expect(rendezvousChoice(reported, key).url).toBe(order[1]);
});

test('without a prompt to key on (the planner simulation), prefix-aware places as least-loaded does', () => {
  const policy = new PrefixAwarePolicy({ random: () => 0.99 });
  expect(policy.choose([idle('a', { inFlight: 3 }), idle('b', { inFlight: 1 }), idle('c', { inFlight: 2 })]).url).toBe('b');
});

test('policies by name: the three, prefix-aware the default, an unknown name refused with the choices', () => {
  expect(Routing.of('round-robin')).toBe(Routing.ROUND_ROBIN);
  expect(Routing.of('least-loaded')).toBe(Routing.LEAST_LOADED);
  expect(Routing.of('prefix-aware')).toBe(Routing.PREFIX_AWARE);
  expect(Routing.PREFIX_AWARE.policy()).toBeInstanceOf(PrefixAwarePolicy);
  expect(() => Routing.of('random')).toThrow("Unknown routing policy 'random': use round-robin, least-loaded, prefix-aware.");
});
