import { getModelSpec } from '../../../lib/hardware';
import { createDecodeWorker } from '../../../lib/mock/decode-worker';
import { KvLeaseStore } from '../../../lib/mock/kv-lease';
import { socketKvSource, startSocketKvServer } from '../../../lib/mock/kv-transport';
import { createPrefillWorker } from '../../../lib/mock/prefill-worker';
import { BedrockGateway } from '../../../lib/runtime/bedrock/gateway';
import type { HttpHandler } from '../../../lib/runtime/http/http-types';
import { readBody } from '../../../lib/runtime/http/http-types';
import { deployedWorkerDirectory } from '../../../lib/runtime/lambda/router-core';
import { renderReportedLoad } from '../../../lib/runtime/openai/vllm-metrics';
import type { FetchFunction } from '../../../lib/runtime/routing/fetch-function';
import { nodeFetch } from '../../../lib/runtime/routing/node-fetch';
import type { RegistryConfig } from '../../../lib/runtime/routing/registry-config';
import type { ReportedLoad } from '../../../lib/runtime/routing/worker-directory';
import { RunningServer, startNodeServer } from '../../../lib/runtime/server/node-server';
import { FakeAwsApis, startFakeAwsApis } from './fake-aws-apis';

// The deployed router's routing, end to end on localhost: it discovers the prefill and the decode
// hosts from a fake of the ELBv2 and EC2 APIs (two hosts per fleet, each fleet's on one port at two
// loopback addresses, as instances on the server port), reads their vLLM /metrics, and sends prompts
// to the hosts themselves, not to the load balancers, which serve only when no host is healthy.
// Each gateway is one Lambda execution environment: they share nothing but the hosts.

const MODEL = getModelSpec('llama-3.3-70b-instruct');
const PREFILL_ARN = 'arn:aws:elasticloadbalancing:us-east-2:111111111111:targetgroup/Prefill/0123456789abcdef';
const DECODE_ARN = 'arn:aws:elasticloadbalancing:us-east-2:111111111111:targetgroup/Decode/fedcba9876543210';
const PREFILL_HOSTS = { 'i-0aaaaaaaaaaaaaaaa': '127.0.0.2', 'i-0bbbbbbbbbbbbbbbb': '127.0.0.3' } as const;
const DECODE_HOSTS = { 'i-0cccccccccccccccc': '127.0.0.4', 'i-0dddddddddddddddd': '127.0.0.5' } as const;

const closers: Array<() => Promise<void>> = [];
/** Every prompt a worker took, as `prefill <address>` or `decode <address>`. */
const served: string[] = [];
/** What a host's /metrics says instead of its own count, by address. */
const reportedLoads = new Map<string, ReportedLoad>();
let aws: FakeAwsApis;
let registry: RegistryConfig;
let hosts: Record<string, RunningServer> = {};
let loadBalancers: RunningServer[] = [];
const saved = { ...process.env };

/** Serves `worker` at `host:port`, recording the prompts it takes and answering /metrics with an override when one is set. */
function serve(stage: string, name: string, worker: HttpHandler, host: string, port: number): Promise<RunningServer> {
  const handle: HttpHandler = (request) => {
    if (request.method === 'POST') served.push(`${stage} ${name}`);
    const override = reportedLoads.get(name);
    if (request.method === 'GET' && request.path === '/metrics' && override) {
      return Promise.resolve({ status: 200, headers: { 'content-type': 'text/plain; version=0.0.4' }, body: Buffer.from(renderReportedLoad(override, MODEL.huggingFaceId)) });
    }
    return worker(request);
  };
  return startNodeServer(handle, { host, port });
}

async function prefillHost(name: string, host: string, port: number): Promise<RunningServer> {
  const leases = new KvLeaseStore(30_000);
  const kv = await startSocketKvServer(leases);
  closers.push(() => kv.close());
  return serve('prefill', name, createPrefillWorker({ model: MODEL, leases, kvEndpoint: kv }).handle, host, port);
}

function decodeHost(name: string, host: string, port: number): Promise<RunningServer> {
  return serve('decode', name, createDecodeWorker({ model: MODEL, kvSource: socketKvSource }).handle, host, port);
}

/** Two hosts at the addresses of `fleet`'s instances, on one port (the first one's free port). */
async function startHosts(fleet: Record<string, string>, start: typeof prefillHost): Promise<number> {
  const [a, b] = Object.values(fleet);
  hosts[a] = await start(a, a, 0);
  const port = Number(new URL(hosts[a].url).port);
  hosts[b] = await start(b, b, port);
  return port;
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  const prefillPort = await startHosts(PREFILL_HOSTS, prefillHost);
  const decodePort = await startHosts(DECODE_HOSTS, decodeHost);
  loadBalancers = [await prefillHost('load balancer', '127.0.0.1', 0), await decodeHost('load balancer', '127.0.0.1', 0)];
  aws = await startFakeAwsApis(prefillPort);
  closers.push(() => aws.close());
  for (const [id, privateIp] of Object.entries({ ...PREFILL_HOSTS, ...DECODE_HOSTS })) aws.instances.set(id, { id, privateIp });
  registry = {
    models: [{
      modelIds: ['m'],
      prefillUrls: [loadBalancers[0].url],
      prefillDiscovery: { targetGroupArn: PREFILL_ARN, port: prefillPort },
      prefillModel: MODEL.huggingFaceId,
      decode: { url: loadBalancers[1].url, discovery: { targetGroupArn: DECODE_ARN, port: decodePort }, model: MODEL.huggingFaceId, canIngestKv: true },
      contextWindow: 8192,
      maxOutputTokens: 512,
    }],
  };
});
afterAll(async () => {
  process.env = saved;
  for (const server of [...Object.values(hosts), ...loadBalancers]) await server.close().catch(() => undefined);
  for (const close of closers.reverse()) await close();
});
beforeEach(() => {
  served.length = 0;
  aws.calls.length = 0;
  reportedLoads.clear();
  const healthy = (fleet: Record<string, string>) => Object.keys(fleet).map((id) => ({ id, state: 'healthy' as const }));
  aws.targetGroups.set(PREFILL_ARN, healthy(PREFILL_HOSTS));
  aws.targetGroups.set(DECODE_ARN, healthy(DECODE_HOSTS));
});
afterEach(() => jest.restoreAllMocks());

/** A gateway as a fresh Lambda execution environment builds it, with the worker calls recorded. */
function gateway(called: string[] = []) {
  const recording: FetchFunction = (url, init) => {
    called.push(`${init.method ?? 'GET'} ${url}`);
    return nodeFetch(url, init);
  };
  const workers = deployedWorkerDirectory(recording, { endpoints: { elasticloadbalancing: aws.url, ec2: aws.url } });
  return new BedrockGateway({ registry, fetch: recording, telemetry: () => undefined, router: { workers } });
}

/** One turn of the conversation that opens with `opening`; answers the status, and the workers that took it. */
async function converse(g: BedrockGateway, opening = 'Say something.'): Promise<{ status: number; took: string[] }> {
  const before = served.length;
  const body = { messages: [{ role: 'user', content: [{ text: opening }] }], inferenceConfig: { maxTokens: 8 } };
  const answer = await g.handle({
    method: 'POST',
    path: '/model/m/converse',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
    signal: new AbortController().signal,
  });
  await readBody(answer.body);
  return { status: answer.status, took: served.slice(before) };
}

/** Where each of the OPENINGS conversations goes first, one after another (each from a fresh execution environment). */
async function placements(): Promise<Array<{ opening: string; took: string[] }>> {
  const placed: Array<{ opening: string; took: string[] }> = [];
  for (const opening of OPENINGS) placed.push({ opening, took: (await converse(gateway(), opening)).took });
  return placed;
}

const OPENINGS = Array.from({ length: 16 }, (_, i) => `Conversation ${i}: say something.`);

test('prompts go to the healthy prefill and decode hosts themselves, whose load is read from their /metrics', async () => {
  const called: string[] = [];
  const g = gateway(called);
  for (let i = 0; i < 4; i++) expect((await converse(g)).status).toBe(200);
  expect(served).toHaveLength(8);
  expect(served.filter((s) => s.startsWith('prefill ')).every((s) => /^prefill 127\.0\.0\.[23]$/.test(s))).toBe(true);
  expect(served.filter((s) => s.startsWith('decode ')).every((s) => /^decode 127\.0\.0\.[45]$/.test(s))).toBe(true);
  // Discovery once per fleet for the execution environment: the target group's health, then each new instance's address.
  expect(aws.calls.filter((c) => c.action === 'DescribeTargetHealth').map((c) => c.params.get('TargetGroupArn')).sort()).toEqual([DECODE_ARN, PREFILL_ARN]);
  expect(aws.calls.filter((c) => c.action === 'DescribeInstances')).toHaveLength(2);
  expect(called).toEqual(expect.arrayContaining([expect.stringMatching(/^GET http:\/\/127\.0\.0\.[23]:\d+\/metrics$/)]));
  expect(called).toEqual(expect.arrayContaining([expect.stringMatching(/^GET http:\/\/127\.0\.0\.[45]:\d+\/metrics$/)]));
  const balancers = loadBalancers.map((lb) => `:${new URL(lb.url).port}/`);
  expect(called.some((c) => balancers.some((port) => c.includes(port)))).toBe(false);
});

test('every execution environment sends a conversation to the same prefill and decode hosts; conversations spread over both', async () => {
  const placements = new Set<string>();
  for (const opening of OPENINGS) {
    const first = await converse(gateway(), opening);
    const second = await converse(gateway(), opening);
    expect(first.status).toBe(200);
    expect(second.took).toEqual(first.took);
    placements.add(first.took.join(' + '));
  }
  const prefillHosts = new Set([...placements].map((p) => p.split(' + ')[0]));
  const decodeHosts = new Set([...placements].map((p) => p.split(' + ')[1]));
  expect([...prefillHosts].sort()).toEqual(['prefill 127.0.0.2', 'prefill 127.0.0.3']);
  expect([...decodeHosts].sort()).toEqual(['decode 127.0.0.4', 'decode 127.0.0.5']);
});

test('a conversation\'s hosts reporting more than their share of load (vLLM running + waiting): it goes to the other hosts', async () => {
  const [prefillOf, decodeOf] = (await converse(gateway(), OPENINGS[0])).took;
  const other = (took: string, fleet: Record<string, string>) => Object.values(fleet).find((address) => !took.endsWith(address))!;
  reportedLoads.set(prefillOf.split(' ')[1], { running: 1, waiting: 40 });
  reportedLoads.set(decodeOf.split(' ')[1], { running: 60, waiting: 0 });
  const { status, took } = await converse(gateway(), OPENINGS[0]);
  expect(status).toBe(200);
  expect(took).toEqual([`prefill ${other(prefillOf, PREFILL_HOSTS)}`, `decode ${other(decodeOf, DECODE_HOSTS)}`]);
});

/**
 * Sends, from a fresh execution environment, a conversation that `stage`'s host at `address` served
 * before that host went away (its instance still healthy to the load balancer); the host comes back after.
 */
async function conversationOnGoneHost(stage: 'prefill' | 'decode', address: string, sibling: string, start: typeof prefillHost) {
  const onGone = (await placements()).find((p) => p.took.includes(`${stage} ${address}`))!;
  await hosts[address].close();
  try {
    const called: string[] = [];
    const { status, took } = await converse(gateway(called), onGone.opening);
    return { status, took, triedGone: called.some((c) => c.startsWith(`POST http://${address}:`)) };
  } finally {
    hosts[address] = await start(address, address, Number(new URL(hosts[sibling].url).port));
  }
}

test('a prefill host the load balancer still calls healthy but that is gone: the prompt is retried on the other host', async () => {
  const { status, took, triedGone } = await conversationOnGoneHost('prefill', '127.0.0.2', '127.0.0.3', prefillHost);
  expect(status).toBe(200);
  expect(triedGone).toBe(true);
  expect(took.filter((t) => t.startsWith('prefill '))).toEqual(['prefill 127.0.0.3']);
  expect(served).not.toContain('prefill load balancer');
});

test('a decode host that is gone: the request is retried on the other decode host (after a fresh prefill)', async () => {
  const { status, took, triedGone } = await conversationOnGoneHost('decode', '127.0.0.4', '127.0.0.5', decodeHost);
  expect(status).toBe(200);
  expect(triedGone).toBe(true);
  expect(took.filter((t) => t.startsWith('decode '))).toEqual(['decode 127.0.0.5']);
  expect(took.filter((t) => t.startsWith('prefill '))).toHaveLength(2);
});

test('no healthy host: the load balancer addresses serve, as the fallback', async () => {
  aws.targetGroups.set(PREFILL_ARN, [
    { id: 'i-0aaaaaaaaaaaaaaaa', state: 'unhealthy' },
    { id: 'i-0bbbbbbbbbbbbbbbb', state: 'initial' },
  ]);
  aws.targetGroups.set(DECODE_ARN, [
    { id: 'i-0cccccccccccccccc', state: 'draining' },
    { id: 'i-0dddddddddddddddd', state: 'unused' },
  ]);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const { status } = await converse(gateway());
  expect(status).toBe(200);
  expect(served).toEqual(['prefill load balancer', 'decode load balancer']);
});

test('discovery refused (throttled) with no list yet: the load balancer addresses serve', async () => {
  aws.refuseWith = { code: 'Throttling', message: 'Rate exceeded', status: 400 };
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    expect((await converse(gateway())).status).toBe(200);
  } finally {
    aws.refuseWith = undefined;
  }
  expect(served).toEqual(['prefill load balancer', 'decode load balancer']);
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('Throttling: Rate exceeded'));
});
