import { ModelRegistry, type ModelRoute } from '../../../lib/runtime/routing/registry';
import type { ModelRouteConfig, WorkerDiscoveryConfig } from '../../../lib/runtime/routing/registry-config';
import { RegistryWorkerDirectory, type RegistryWorkerDirectoryOptions } from '../../../lib/runtime/routing/registry-worker-directory';
import type { ReportedLoad } from '../../../lib/runtime/routing/worker-directory';

const LOAD_BALANCER = 'http://internal-prefill.elb.amazonaws.com:8000';
const DISCOVERY: WorkerDiscoveryConfig = { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-2:1:targetgroup/p/1', port: 8000 };
const DECODE_DISCOVERY: WorkerDiscoveryConfig = { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-2:1:targetgroup/d/2', port: 8000 };

function route(config: Partial<ModelRouteConfig> = {}): ModelRoute {
  return new ModelRegistry({
    models: [{
      modelIds: ['m'],
      prefillUrls: [LOAD_BALANCER],
      prefillDiscovery: DISCOVERY,
      prefillModel: 'p',
      decode: { url: 'http://internal-decode.elb.amazonaws.com:8000', model: 'd', canIngestKv: true, discovery: DECODE_DISCOVERY },
      optimizedDecode: { url: 'https://cs3.example.com', model: 'd', canIngestKv: false },
      contextWindow: 1000,
      maxOutputTokens: 100,
      ...config,
    }],
  }).find('m')!;
}

/** A discovery answered from `hosts`, counting its calls; `fail` makes the next calls throw. */
function fakeDiscovery(hosts: Record<string, string[]>) {
  const state = { calls: 0, fail: false, hosts };
  const discover = async (discovery: WorkerDiscoveryConfig) => {
    state.calls++;
    if (state.fail) throw new Error('Throttling: Rate exceeded');
    return state.hosts[discovery.targetGroupArn] ?? [];
  };
  return { state, discover };
}

const urls = (workers: readonly { url: string }[]) => workers.map((w) => w.url);
/** Lets a lookup started in the background finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function directory(options: RegistryWorkerDirectoryOptions & { clock: { now: number } }) {
  return new RegistryWorkerDirectory({ warn: () => undefined, now: () => options.clock.now, ...options });
}

test('without discovery the registry URLs are the workers, for prefill and for each decode route', async () => {
  const r = route({ prefillDiscovery: undefined, prefillUrls: ['http://a:1', 'http://b:1'] });
  const workers = new RegistryWorkerDirectory();
  expect(urls(await workers.prefill(r))).toEqual(['http://a:1', 'http://b:1']);
  expect(urls(await workers.decode(r, r.config.decode))).toEqual(['http://internal-decode.elb.amazonaws.com:8000']);
  expect(urls(await workers.decode(r, r.config.optimizedDecode!))).toEqual(['https://cs3.example.com']);
  const several = { ...r.config.decode, workerUrls: ['http://d1:1', 'http://d2:1'] };
  expect(urls(await workers.decode(r, several))).toEqual(['http://d1:1', 'http://d2:1']);
});

test('discovered hosts, sorted, cached for the list lifetime, then looked up again in the background', async () => {
  const clock = { now: 1000 };
  const { state, discover } = fakeDiscovery({ [DISCOVERY.targetGroupArn]: ['http://10.0.0.9:8000', 'http://10.0.0.1:8000'] });
  const workers = directory({ clock, discover, listTtlMs: 10_000 });
  const r = route();
  expect(urls(await workers.prefill(r))).toEqual(['http://10.0.0.1:8000', 'http://10.0.0.9:8000']);
  clock.now += 8000;
  await workers.prefill(r);
  expect(state.calls).toBe(1);

  // Past the lifetime (give or take its 10% jitter): the old list serves this request, the next has the new one.
  state.hosts[DISCOVERY.targetGroupArn] = ['http://10.0.0.1:8000', 'http://10.0.0.5:8000'];
  clock.now += 4000;
  expect(urls(await workers.prefill(r))).toEqual(['http://10.0.0.1:8000', 'http://10.0.0.9:8000']);
  await settle();
  expect(state.calls).toBe(2);
  expect(urls(await workers.prefill(r))).toEqual(['http://10.0.0.1:8000', 'http://10.0.0.5:8000']);
});

test('each decode route has its own list; a route without discovery config is never looked up', async () => {
  const clock = { now: 0 };
  const { state, discover } = fakeDiscovery({ [DECODE_DISCOVERY.targetGroupArn]: ['http://10.0.1.1:8000'] });
  const workers = directory({ clock, discover });
  const r = route();
  expect(urls(await workers.decode(r, r.config.decode))).toEqual(['http://10.0.1.1:8000']);
  expect(urls(await workers.decode(r, r.config.optimizedDecode!))).toEqual(['https://cs3.example.com']);
  expect(state.calls).toBe(1);
});

test('a reported failure brings the next lookup forward, no sooner than the shortest refresh interval', async () => {
  const clock = { now: 0 };
  const { state, discover } = fakeDiscovery({ [DISCOVERY.targetGroupArn]: ['http://10.0.0.1:8000', 'http://10.0.0.2:8000'] });
  const workers = directory({ clock, discover, listTtlMs: 60_000, minRefreshIntervalMs: 1000 });
  const r = route();
  await workers.prefill(r);

  // The host was replaced: the load balancer no longer lists it.
  state.hosts[DISCOVERY.targetGroupArn] = ['http://10.0.0.2:8000', 'http://10.0.0.3:8000'];
  workers.reportFailure('http://10.0.0.1:8000');
  clock.now = 500;
  await workers.prefill(r);
  await settle();
  expect(state.calls).toBe(1);
  clock.now = 1000;
  await workers.prefill(r);
  await settle();
  expect(state.calls).toBe(2);
  expect(urls(await workers.prefill(r))).toEqual(['http://10.0.0.2:8000', 'http://10.0.0.3:8000']);

  // A failure of a worker the list does not hold changes nothing.
  workers.reportFailure('http://10.0.0.1:8000');
  clock.now = 5000;
  await workers.prefill(r);
  await settle();
  expect(state.calls).toBe(2);
});

test('when discovery fails the last list serves, and the lookups back off; without any list, the load balancer', async () => {
  const clock = { now: 0 };
  const { state, discover } = fakeDiscovery({ [DISCOVERY.targetGroupArn]: ['http://10.0.0.1:8000'] });
  const warnings: string[] = [];
  const workers = directory({ clock, discover, listTtlMs: 60_000, minRefreshIntervalMs: 1000, warn: (m) => warnings.push(m) });
  const r = route();
  await workers.prefill(r);
  state.fail = true;
  workers.reportFailure('http://10.0.0.1:8000');
  for (const at of [1000, 1500, 2000, 3000, 4000, 5000, 7000]) {
    clock.now = at;
    expect(urls(await workers.prefill(r))).toEqual(['http://10.0.0.1:8000']);
    await settle();
  }
  // Lookups at 1000 (failed), then after 1 s (2000, failed), then after 2 s (4000, failed), then after 4 s (8000).
  expect(state.calls).toBe(4);
  expect(warnings[0]).toContain('failed (Throttling: Rate exceeded); using http://10.0.0.1:8000');

  const fresh = directory({ clock, discover });
  expect(urls(await fresh.prefill(r))).toEqual([LOAD_BALANCER]);
});

test('no healthy host: the load balancer serves (it fails open), and discovery is asked again later', async () => {
  const clock = { now: 0 };
  const { state, discover } = fakeDiscovery({});
  const warnings: string[] = [];
  const workers = directory({ clock, discover, listTtlMs: 10_000, warn: (m) => warnings.push(m) });
  const r = route();
  expect(urls(await workers.prefill(r))).toEqual([LOAD_BALANCER]);
  expect(warnings).toEqual([`worker directory: ${DISCOVERY.targetGroupArn} has no healthy target; using ${LOAD_BALANCER}`]);
  state.hosts[DISCOVERY.targetGroupArn] = ['http://10.0.0.4:8000'];
  clock.now = 12_000;
  await workers.prefill(r);
  await settle();
  expect(urls(await workers.prefill(r))).toEqual(['http://10.0.0.4:8000']);
});

test("workers come with their own load figures, read at most every load lifetime, each on its own", async () => {
  const clock = { now: 0 };
  const { discover } = fakeDiscovery({ [DISCOVERY.targetGroupArn]: ['http://10.0.0.1:8000', 'http://10.0.0.2:8000'] });
  const figures: Record<string, ReportedLoad | undefined> = { 'http://10.0.0.1:8000': { running: 3, waiting: 1 } };
  const reads: string[] = [];
  const readLoad = async (url: string) => {
    reads.push(url);
    if (url === 'http://10.0.0.2:8000') throw new Error('connection refused'); // a directory must survive a reader that throws
    return figures[url];
  };
  const workers = directory({ clock, discover, readLoad, loadTtlMs: 2000 });
  const r = route();
  expect(await workers.prefill(r)).toEqual([{ url: 'http://10.0.0.1:8000', load: { running: 3, waiting: 1 } }, { url: 'http://10.0.0.2:8000' }]);
  clock.now = 1500;
  figures['http://10.0.0.1:8000'] = { running: 0, waiting: 0 };
  expect((await workers.prefill(r))[0].load).toEqual({ running: 3, waiting: 1 });
  expect(reads).toHaveLength(2);
  clock.now = 2500;
  await workers.prefill(r);
  await settle();
  expect((await workers.prefill(r))[0].load).toEqual({ running: 0, waiting: 0 });
  expect(reads).toHaveLength(4);
});

test('with readLoadOfListedWorkers off, only discovered hosts are asked for their load', async () => {
  const clock = { now: 0 };
  const { discover } = fakeDiscovery({ [DISCOVERY.targetGroupArn]: ['http://10.0.0.1:8000'] });
  const reads: string[] = [];
  const readLoad = async (url: string) => (reads.push(url), { running: 1, waiting: 0 });
  const workers = directory({ clock, discover, readLoad, readLoadOfListedWorkers: false });
  const r = route();
  await workers.prefill(r);
  await workers.decode(r, r.config.optimizedDecode!);
  // The decode route's discovery finds nothing: its load balancer serves, and is not asked either.
  await workers.decode(r, r.config.decode);
  expect(reads).toEqual(['http://10.0.0.1:8000']);
});
