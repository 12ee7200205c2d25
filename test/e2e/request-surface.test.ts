import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, MockTiming, startMockCluster, startMockWorkers, tokenize, type MockWorkers } from '../../lib/mock';
import { BedrockGateway } from '../../lib/runtime/bedrock/gateway';
import { startNodeServer, type RunningServer } from '../../lib/runtime/server/node-server';
import { bedrockClient, rejection, streamEvents, userSays } from './helpers';

// The rest of the Converse and InvokeModel request surface, through the official client (and raw HTTP for headers).

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
const logs: string[] = [];
let cluster: MockCluster;
beforeAll(async () => {
  cluster = await startMockCluster({ optimizedDecode: true, timing: MockTiming.NONE, gateway: { telemetry: (line) => logs.push(line) } });
});
afterAll(() => cluster.close());

const converse = (extra: Record<string, unknown>, text = 'hello there') =>
  bedrockClient(cluster.endpoint).send(new ConverseCommand({ modelId: MODEL, messages: userSays(text), ...extra }));

describe('performanceConfig.latency', () => {
  test('optimized is served by the optimized tier and says so, buffered and streamed; standard by the standard tier', async () => {
    expect((await converse({ performanceConfig: { latency: 'optimized' } })).performanceConfig).toEqual({ latency: 'optimized' });
    expect((await converse({})).performanceConfig).toEqual({ latency: 'standard' });
    const stream = await bedrockClient(cluster.endpoint).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: userSays('hi'), performanceConfig: { latency: 'optimized' } }),
    );
    const metadata = (await streamEvents(stream.stream!)).find((e) => e.name === 'metadata')!.payload;
    expect(metadata.performanceConfig).toEqual({ latency: 'optimized' });
    const line = JSON.parse(logs.filter((l) => l.includes('"Operation":"ConverseStream"')).pop()!);
    expect(line.LatencyTier).toBe('optimized');
  });

  test('a model without an optimized tier serves an optimized request on the standard one', async () => {
    const plain = await startMockCluster({ gateway: { telemetry: () => undefined } });
    try {
      const answer = await bedrockClient(plain.endpoint).send(new ConverseCommand({ modelId: MODEL, messages: userSays('hi'), performanceConfig: { latency: 'optimized' } }));
      expect(answer.performanceConfig).toEqual({ latency: 'standard' });
    } finally {
      await plain.close();
    }
  });

  test("InvokeModel takes it in the X-Amzn-Bedrock-PerformanceConfig-Latency header and echoes the tier that served", async () => {
    const response = await fetch(`${cluster.endpoint}/model/${encodeURIComponent(MODEL)}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amzn-bedrock-performanceconfig-latency': 'optimized' },
      body: JSON.stringify({ prompt: 'hi', max_gen_len: 5 }),
    });
    expect(response.headers.get('x-amzn-bedrock-performanceconfig-latency')).toBe('optimized');
  });

  test('an unknown tier is a ValidationException naming the choices', async () => {
    const error = await rejection(converse({ performanceConfig: { latency: 'fastest' } }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('performanceConfig.latency must be one of "standard", "optimized"; got "fastest".');
  });
});

describe('requestMetadata', () => {
  test('is written into the request log line', async () => {
    await converse({ requestMetadata: { tenant: 'acme', 'session id': 'a1/b2' } });
    const line = JSON.parse(logs.filter((l) => l.includes('"RequestMetadata"')).pop()!);
    expect(line.RequestMetadata).toEqual({ tenant: 'acme', 'session id': 'a1/b2' });
    expect(line.Operation).toBe('Converse');
  });

  test.each([
    ['17 pairs', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])), /requestMetadata has 17 pairs; at most 16 are allowed/],
    ['a key with a character outside the pattern', { 'bad!key': 'v' }, /requestMetadata key "bad!key" must be 1 to 256 letters, digits, spaces or :_@\$#=\/\+,-\. characters/],
    ['a value over 256 characters', { k: 'v'.repeat(257) }, /requestMetadata value of "k" must be a string of up to 256 .*; got "v{40}"… \(257 characters\)/],
  ])('%s is a ValidationException', async (_name, requestMetadata, message) => {
    const error = await rejection(converse({ requestMetadata }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(message);
  });
});

describe('additionalModelRequestFields', () => {
  test('an unknown key is a ValidationException naming it and what is taken', async () => {
    const error = await rejection(converse({ additionalModelRequestFields: { top_k: 5, thinking: { type: 'enabled' } } }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/^additionalModelRequestFields has "thinking", which this endpoint's workers do not take; it takes top_k, min_p, seed/);
  });

  test('a sampling field out of its range is a ValidationException', async () => {
    const error = await rejection(converse({ additionalModelRequestFields: { top_k: 0.5 } }));
    expect(error.message).toBe('additionalModelRequestFields.top_k must be an integer from -1 to 1000000; got 0.5.');
  });
});

describe('stop sequences: limited by the decode endpoint, not the gateway', () => {
  test('more than 4 where the endpoint allows them (vLLM has no limit)', async () => {
    const whole = (await converse({}, 'Explain disaggregated inference.')).output!.message!.content![0].text!;
    const stop = ' ' + whole.split(' ')[3];
    const stopped = await converse({ inferenceConfig: { stopSequences: ['zzz1', 'zzz2', 'zzz3', 'zzz4', 'zzz5', stop] } }, 'Explain disaggregated inference.');
    expect(stopped.stopReason).toBe('stop_sequence');
    expect(stopped.output?.message?.content?.[0]?.text).toBe(whole.slice(0, whole.indexOf(stop)));
  });

  describe('an endpoint that declares a limit (an OpenAI-style API: Cerebras takes 4)', () => {
    let workers: MockWorkers;
    let server: RunningServer;
    beforeAll(async () => {
      workers = await startMockWorkers({ prefillWorkers: 1 });
      const model = workers.registry.models[0];
      const gateway = new BedrockGateway({ registry: { models: [{ ...model, decode: { ...model.decode, maxStopSequences: 4 } }] }, telemetry: () => undefined });
      server = await startNodeServer((request) => gateway.handle(request));
    });
    afterAll(async () => {
      await server.close();
      await workers.close();
    });

    test('more than its limit is a ValidationException naming the endpoint and the limit', async () => {
      const error = await rejection(
        bedrockClient(server.url).send(new ConverseCommand({ modelId: MODEL, messages: userSays('hi'), inferenceConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e'] } })),
      );
      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe("inferenceConfig.stopSequences has 5 sequences; this model's standard decode endpoint takes at most 4.");
      const ok = await bedrockClient(server.url).send(new ConverseCommand({ modelId: MODEL, messages: userSays('hi'), inferenceConfig: { stopSequences: ['a', 'b', 'c', 'd'] } }));
      expect(ok.stopReason).toBeDefined();
    });
  });

  test('past the gateway sanity bound (256) even an endpoint without limits is refused', async () => {
    const error = await rejection(converse({ inferenceConfig: { stopSequences: Array.from({ length: 257 }, (_, i) => `s${i}`) } }));
    expect(error.message).toBe('inferenceConfig.stopSequences has 257 sequences; this gateway takes at most 256.');
  });
});

test("InvokeModel's buffered answer carries the usage headers clients read", async () => {
  const response = await fetch(`${cluster.endpoint}/model/${encodeURIComponent(MODEL)}/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Explain disaggregated inference.', max_gen_len: 12 }),
  });
  const body = (await response.json()) as { prompt_token_count: number; generation_token_count: number };
  expect(response.headers.get('x-amzn-bedrock-input-token-count')).toBe(String(body.prompt_token_count));
  expect(response.headers.get('x-amzn-bedrock-output-token-count')).toBe(String(body.generation_token_count));
  expect(response.headers.get('x-amzn-bedrock-invocation-latency')).toMatch(/^\d+$/);
});

describe('streams stream (timing none: the whole answer reaches the gateway at once)', () => {
  let long: MockCluster;
  beforeAll(async () => {
    long = await startMockCluster({ answerTokens: 200, gateway: { telemetry: () => undefined } });
  });
  afterAll(() => long.close());

  test('a 200-token answer arrives in many deltas: one per token, up to what a socket buffer holds as events', async () => {
    const stream = await bedrockClient(long.endpoint).send(new ConverseStreamCommand({ modelId: MODEL, messages: userSays('Talk for a while.') }));
    const deltas = (await streamEvents(stream.stream!)).filter((e) => e.name === 'contentBlockDelta').map((e) => e.payload.delta.text as string);
    expect(deltas.length).toBeGreaterThan(100);
    expect(deltas.slice(0, 100).every((text) => tokenize(text).length === 1)).toBe(true);
    expect(tokenize(deltas.join(''))).toHaveLength(200);
  });

  test('a short answer: exactly one delta per token', async () => {
    const stream = await bedrockClient(long.endpoint).send(new ConverseStreamCommand({ modelId: MODEL, messages: userSays('Briefly.'), inferenceConfig: { maxTokens: 24 } }));
    const deltas = (await streamEvents(stream.stream!)).filter((e) => e.name === 'contentBlockDelta');
    expect(deltas).toHaveLength(24);
  });
});

test('usage carries the prompt-cache fields, 0 until the workers report cached tokens', async () => {
  const answer = await converse({});
  expect(answer.usage).toMatchObject({ cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
});
