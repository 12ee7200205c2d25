import { getModelSpec } from '../../../lib/hardware';
import { createDecodeWorker } from '../../../lib/mock/decode-worker';
import { KvLeaseStore } from '../../../lib/mock/kv-lease';
import { socketKvSource, startSocketKvServer } from '../../../lib/mock/kv-transport';
import { createPrefillWorker } from '../../../lib/mock/prefill-worker';
import { BedrockGateway } from '../../../lib/runtime/bedrock/gateway';
import type { HttpHandler } from '../../../lib/runtime/http/http-types';
import { readBody } from '../../../lib/runtime/http/http-types';
import { deployedWorkerDirectory } from '../../../lib/runtime/lambda/router-core';
import type { FetchFunction } from '../../../lib/runtime/routing/fetch-function';
import { nodeFetch } from '../../../lib/runtime/routing/node-fetch';
import type { RegistryConfig } from '../../../lib/runtime/routing/registry-config';
import { RunningServer, startNodeServer } from '../../../lib/runtime/server/node-server';
import { FakeAwsApis, startFakeAwsApis } from './fake-aws-apis';

// The deployed router's routing, end to end on localhost: it discovers the prefill hosts from a fake
// of the ELBv2 and EC2 APIs (two hosts on one port, at two loopback addresses, as two instances on
// the server port), reads their vLLM /metrics, and sends prompts to the hosts themselves, not to the
// load balancer, which serves only when no host is healthy.

const MODEL = getModelSpec('llama-3.3-70b-instruct');
const ARN = 'arn:aws:elasticloadbalancing:us-east-2:111111111111:targetgroup/Prefill/0123456789abcdef';
const HOSTS = { 'i-0aaaaaaaaaaaaaaaa': '127.0.0.2', 'i-0bbbbbbbbbbbbbbbb': '127.0.0.3' } as const;

const closers: Array<() => Promise<void>> = [];
const served: string[] = [];
let aws: FakeAwsApis;
let registry: RegistryConfig;
let hosts: Record<string, RunningServer> = {};
let loadBalancer: RunningServer;
const saved = { ...process.env };

/** A mock prefill worker that records which address served each prefill. */
async function prefillHost(name: string, host: string, port: number): Promise<RunningServer> {
  const leases = new KvLeaseStore(30_000);
  const kv = await startSocketKvServer(leases);
  closers.push(() => kv.close());
  const worker = createPrefillWorker({ model: MODEL, leases, kvEndpoint: kv });
  const handle: HttpHandler = (request) => {
    if (request.method === 'POST') served.push(name);
    return worker.handle(request);
  };
  return startNodeServer(handle, { host, port });
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  const first = await prefillHost(HOSTS['i-0aaaaaaaaaaaaaaaa'], HOSTS['i-0aaaaaaaaaaaaaaaa'], 0);
  const port = Number(new URL(first.url).port);
  hosts = { [HOSTS['i-0aaaaaaaaaaaaaaaa']]: first, [HOSTS['i-0bbbbbbbbbbbbbbbb']]: await prefillHost(HOSTS['i-0bbbbbbbbbbbbbbbb'], HOSTS['i-0bbbbbbbbbbbbbbbb'], port) };
  loadBalancer = await prefillHost('load balancer', '127.0.0.1', 0);
  const decode = await startNodeServer(createDecodeWorker({ model: MODEL, kvSource: socketKvSource }).handle);
  closers.push(() => decode.close(), () => loadBalancer.close());
  aws = await startFakeAwsApis(port);
  closers.push(() => aws.close());
  for (const [id, privateIp] of Object.entries(HOSTS)) aws.instances.set(id, { id, privateIp });
  registry = {
    models: [{
      modelIds: ['m'],
      prefillUrls: [loadBalancer.url],
      prefillDiscovery: { targetGroupArn: ARN, port },
      prefillModel: MODEL.huggingFaceId,
      decode: { url: decode.url, model: MODEL.huggingFaceId, canIngestKv: true },
      contextWindow: 8192,
      maxOutputTokens: 512,
    }],
  };
});
afterAll(async () => {
  process.env = saved;
  for (const host of Object.values(hosts)) await host.close().catch(() => undefined);
  for (const close of closers.reverse()) await close();
});
beforeEach(() => {
  served.length = 0;
  aws.calls.length = 0;
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

async function converse(g: BedrockGateway): Promise<number> {
  const body = { messages: [{ role: 'user', content: [{ text: 'Say something.' }] }], inferenceConfig: { maxTokens: 8 } };
  const answer = await g.handle({
    method: 'POST',
    path: '/model/m/converse',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
    signal: new AbortController().signal,
  });
  await readBody(answer.body);
  return answer.status;
}

test('prompts go to the healthy hosts themselves, whose load is read from their /metrics', async () => {
  aws.targetGroups.set(ARN, [
    { id: 'i-0aaaaaaaaaaaaaaaa', state: 'healthy' },
    { id: 'i-0bbbbbbbbbbbbbbbb', state: 'healthy' },
  ]);
  const called: string[] = [];
  const g = gateway(called);
  for (let i = 0; i < 4; i++) expect(await converse(g)).toBe(200);
  expect(served.length).toBe(4);
  expect(served.every((name) => name === '127.0.0.2' || name === '127.0.0.3')).toBe(true);
  // Discovery once for the execution environment: the target group's health, then each new instance's address.
  expect(aws.calls.map((c) => c.action)).toEqual(['DescribeTargetHealth', 'DescribeInstances']);
  const port = new URL(loadBalancer.url).port;
  expect(called).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^GET http://127\\.0\\.0\\.[23]:\\d+/metrics$`))]));
  expect(called.some((c) => c.includes(`:${port}/`))).toBe(false);
});

test('a host the load balancer still calls healthy but that is gone: the prompt is retried on the other host', async () => {
  aws.targetGroups.set(ARN, [
    { id: 'i-0aaaaaaaaaaaaaaaa', state: 'healthy' },
    { id: 'i-0bbbbbbbbbbbbbbbb', state: 'healthy' },
  ]);
  await hosts['127.0.0.2'].close();
  const called: string[] = [];
  const g = gateway(called);
  // Until the router has tried the gone host once (each pick between two idle hosts is a coin toss).
  const triedGone = () => called.some((c) => c.startsWith('POST http://127.0.0.2:'));
  for (let i = 0; i < 64 && !triedGone(); i++) expect(await converse(g)).toBe(200);
  expect(triedGone()).toBe(true);
  expect(served.filter((name) => name === '127.0.0.3').length).toBeGreaterThan(0);
  expect(served).not.toContain('load balancer');
});

test('no healthy host: the load balancer address serves, as the fallback', async () => {
  aws.targetGroups.set(ARN, [
    { id: 'i-0aaaaaaaaaaaaaaaa', state: 'unhealthy' },
    { id: 'i-0bbbbbbbbbbbbbbbb', state: 'initial' },
  ]);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  expect(await converse(gateway())).toBe(200);
  expect(served).toEqual(['load balancer']);
});

test('discovery refused (throttled) with no list yet: the load balancer address serves', async () => {
  aws.refuseWith = { code: 'Throttling', message: 'Rate exceeded', status: 400 };
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    expect(await converse(gateway())).toBe(200);
  } finally {
    aws.refuseWith = undefined;
  }
  expect(served).toEqual(['load balancer']);
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('Throttling: Rate exceeded'));
});
