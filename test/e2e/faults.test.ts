import { ConverseCommand, ConverseStreamCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, MockClusterOptions, MockTiming, startMockCluster, tokenize } from '../../lib/mock';
import { bedrockClient, eventually, rejection, userSays } from './helpers';

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
/**
 * The stage limits of the tests about a limit passing: short, so the timeout comes long before the
 * slow worker (SLOW_MS) would answer. Every other test keeps the router's defaults (30 s and more):
 * on a loaded machine a short limit would turn their fault into a ModelTimeoutException.
 */
const SHORT_LIMITS = { prefillMs: 300, firstTokenMs: 300, interTokenMs: 300, totalMs: 3000 };
/** How late a slow worker answers: far past the short limits, and past the bound on how long the client may wait. */
const SLOW_MS = 60_000;
/** A bound on hangs, not a speed requirement: a limit of 300 ms must end the request well before the slow worker. */
const HANG_MS = 20_000;

const clusters: MockCluster[] = [];
async function cluster(options: MockClusterOptions, logs: string[] = []): Promise<MockCluster> {
  const started = await startMockCluster({ ...options, gateway: { telemetry: (l) => logs.push(l), ...options.gateway } });
  clusters.push(started);
  return started;
}
afterAll(async () => {
  for (const c of clusters) await c.close();
});

const ask = (maxTokens = 8) => new ConverseCommand({ modelId: MODEL, messages: userSays('hello there'), inferenceConfig: { maxTokens } });
const leases = (c: MockCluster) => c.models[0].prefill.reduce((sum, p) => sum + p.worker.leases.size, 0);

describe('a prefill worker that crashes', () => {
  test('is retried on another worker: every request still succeeds', async () => {
    const c = await cluster({ prefillWorkers: 3, faults: { crashedPrefillWorkers: 2 } });
    const client = bedrockClient(c.endpoint);
    for (let i = 0; i < 6; i++) expect((await client.send(ask())).usage?.outputTokens).toBe(8);
  });

  test('with every worker down, the client gets ServiceUnavailableException naming the stage, the log the worker', async () => {
    const logs: string[] = [];
    const c = await cluster({ prefillWorkers: 2, faults: { crashedPrefillWorkers: 2 } }, logs);
    const error = await rejection(bedrockClient(c.endpoint).send(ask()));
    expect(error.name).toBe('ServiceUnavailableException');
    expect(error.message).toMatch(/The model is unavailable \(prefill failed/);
    // The worker's address is for the operator's log, never for the client.
    expect(error.message).not.toMatch(/127\.0\.0\.1|http:|localhost/);
    const line = JSON.parse(logs.find((l) => l.includes('ServiceUnavailableException'))!);
    expect(line.ErrorDetail).toMatch(new RegExp(c.registry.models[0].prefillUrls.map((u) => u.replace(/[.]/g, '\\.')).join('|')));
  });
});

describe("a KV hand-off that fails is recovered by prompt replay on the decode worker (vLLM's kv_load_failure_policy: recompute)", () => {
  /** The one request's log line, after the request succeeded. */
  const recovered = async (c: MockCluster, logs: string[]) => {
    const answer = await bedrockClient(c.endpoint).send(ask());
    expect(answer.usage?.outputTokens).toBe(8);
    const line = JSON.parse(logs.find((l) => l.includes('"Operation":"Converse"'))!);
    // Logged with why, counted as a metric, and the decode worker computed the prompt itself.
    expect(line.KvRecomputes).toBe(1);
    expect(line._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'KvRecomputes', Unit: 'Count' });
    const decode = c.models[0].decode.worker.stats();
    expect(decode.computedTokens).toBeGreaterThan(0);
    expect(decode.pulledTokens).toBe(0);
    return line;
  };

  test('the lease expired before the pull: the log names the lease', async () => {
    const logs: string[] = [];
    const c = await cluster({ faults: { kvLeaseMs: 0 } }, logs);
    const line = await recovered(c, logs);
    expect(line.KvRecompute).toMatch(/KV load failed: KV lease .* expired before the pull/);
    // Several more in a row: once the process is warm, a hand-off can cross localhost within a
    // millisecond, and a 0 ms lease must still have run out before the pull every time.
    const client = bedrockClient(c.endpoint);
    for (let i = 0; i < 9; i++) expect((await client.send(ask())).usage?.outputTokens).toBe(8);
    const recomputes = logs.map((l) => JSON.parse(l)).filter((l) => l.Operation === 'Converse').map((l) => l.KvRecompute);
    expect(recomputes).toHaveLength(10);
    for (const why of recomputes) expect(why).toMatch(/KV load failed: KV lease .* expired before the pull/);
    expect(leases(c)).toBe(0);
  });

  test('the prefill worker is gone by the time the decode worker pulls (its KV endpoint refuses)', async () => {
    const logs: string[] = [];
    const c = await cluster({ prefillWorkers: 1 }, logs);
    await c.models[0].prefill[0].kvServer!.close();
    const line = await recovered(c, logs);
    expect(line.KvRecompute).toMatch(/KV load failed: KV pull from .* failed/);
  });

  test('the transfer breaks halfway', async () => {
    const logs: string[] = [];
    const c = await cluster({ faults: { kvTransferBreaks: true } }, logs);
    const line = await recovered(c, logs);
    expect(line.KvRecompute).toMatch(/KV load failed: KV transfer ended early/);
    // Once per request: the next request recovers the same way, on its own.
    await bedrockClient(c.endpoint).send(ask());
    expect(logs.filter((l) => JSON.parse(l).KvRecomputes === 1)).toHaveLength(2);
  });
});

describe('a decode stream that breaks after N tokens', () => {
  let c: MockCluster;
  beforeAll(async () => {
    c = await cluster({ faults: { decodeBreakAfterTokens: 3 } });
  });

  test('ConverseStream delivers the N deltas, then the client raises ModelStreamErrorException', async () => {
    const response = await bedrockClient(c.endpoint).send(new ConverseStreamCommand({ modelId: MODEL, messages: userSays('hello'), inferenceConfig: { maxTokens: 20 } }));
    const deltas: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of response.stream!) if (event.contentBlockDelta) deltas.push(event.contentBlockDelta.delta!.text!);
      })(),
    );
    // Tokens that arrive together may share a delta: count tokens, not deltas.
    expect(tokenize(deltas.join(''))).toHaveLength(3);
    expect(error.name).toBe('ModelStreamErrorException');
  });

  test('InvokeModelWithResponseStream ends the same way', async () => {
    const response = await bedrockClient(c.endpoint).send(
      new InvokeModelWithResponseStreamCommand({ modelId: MODEL, body: JSON.stringify({ prompt: 'hi', max_gen_len: 20 }), contentType: 'application/json' }),
    );
    const error = await rejection(
      (async () => {
        for await (const event of response.body!) void event;
      })(),
    );
    expect(error.name).toBe('ModelStreamErrorException');
  });

  test('Converse, which has sent nothing yet, gets ServiceUnavailableException', async () => {
    const error = await rejection(bedrockClient(c.endpoint).send(ask(20)));
    expect(error.name).toBe('ServiceUnavailableException');
    expect(c.gateway.inFlight).toBe(0);
  });
});

describe('a slow worker', () => {
  test('a slow prefill everywhere ends in ModelTimeoutException at the stage limit, not when the workers answer', async () => {
    const c = await cluster({ prefillWorkers: 2, timeouts: SHORT_LIMITS, faults: { prefillDelayMs: SLOW_MS } });
    const started = Date.now();
    const error = await rejection(bedrockClient(c.endpoint).send(ask()));
    expect(error.name).toBe('ModelTimeoutException');
    expect(error.message).toMatch(/prefill took longer than 300 ms/);
    expect(Date.now() - started).toBeLessThan(HANG_MS);
  });

  test('a slow decode ends in ModelTimeoutException at the first-token limit, and the decode stream is closed', async () => {
    // Prefill keeps its default limit: only the decode's first token can time out.
    const c = await cluster({ prefillWorkers: 1, timeouts: { firstTokenMs: SHORT_LIMITS.firstTokenMs }, faults: { decodeDelayMs: SLOW_MS } });
    const started = Date.now();
    const error = await rejection(bedrockClient(c.endpoint).send(ask()));
    expect(error.name).toBe('ModelTimeoutException');
    expect(error.message).toMatch(/the first output token took longer than 300 ms/);
    expect(Date.now() - started).toBeLessThan(HANG_MS);
    await eventually(() => c.models[0].decode.worker.stats().activeStreams === 0);
  });
});

test('over the concurrency limit the client gets ThrottlingException; the held request still completes', async () => {
  // The held request's decode waits 3 s: long enough that it surely still holds the slot when the second comes.
  const c = await cluster({ gateway: { maxConcurrentRequests: 1 }, faults: { decodeDelayMs: 3000 } });
  const client = bedrockClient(c.endpoint);
  const held = client.send(ask());
  await eventually(() => c.gateway.inFlight === 1);
  const error = await rejection(client.send(ask()));
  expect(error.name).toBe('ThrottlingException');
  expect(error.$metadata?.httpStatusCode).toBe(429);
  expect((await held).usage?.outputTokens).toBe(8);
});

describe('a client that goes away', () => {
  test('mid-stream: the upstream decode stream ends, its KV is freed, no lease is left', async () => {
    const logs: string[] = [];
    // Realistic decode pacing (~2,100 tokens/s) and a long answer keep the stream open while the client leaves.
    const c = await cluster({ timing: MockTiming.REALISTIC, answerTokens: 100_000, prefillWorkers: 1 }, logs);
    const controller = new AbortController();
    const response = await bedrockClient(c.endpoint).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: userSays('tell me everything'), inferenceConfig: { maxTokens: 8000 } }),
      { abortSignal: controller.signal },
    );
    const decode = c.models[0].decode.worker;
    let deltas = 0;
    let heldWhileStreaming = { activeStreams: 0, heldKvBytes: 0 };
    try {
      for await (const event of response.stream!) {
        if (event.contentBlockDelta && ++deltas === 3) {
          heldWhileStreaming = decode.stats();
          controller.abort();
        }
      }
    } catch {
      // Depending on timing the aborted stream ends quietly or with an AbortError; either is fine.
    }
    expect(deltas).toBeGreaterThanOrEqual(3);
    expect(heldWhileStreaming.activeStreams).toBe(1);
    expect(heldWhileStreaming.heldKvBytes).toBeGreaterThan(0);
    await eventually(() => decode.stats().activeStreams === 0 && c.gateway.inFlight === 0);
    expect(decode.stats().heldKvBytes).toBe(0);
    expect(leases(c)).toBe(0);
    await eventually(() => logs.some((l) => JSON.parse(l).Outcome === 'ClientAborted'));
  });

  test('during prefill: the prefill call is aborted and no KV lease is taken', async () => {
    const logs: string[] = [];
    const c = await cluster({ prefillWorkers: 1, faults: { prefillDelayMs: 1000 } }, logs);
    const controller = new AbortController();
    const call = bedrockClient(c.endpoint).send(ask(), { abortSignal: controller.signal });
    await eventually(() => c.gateway.inFlight === 1);
    setTimeout(() => controller.abort(), 100);
    await rejection(call);
    await eventually(() => c.gateway.inFlight === 0);
    // Past the prefill delay: had the worker carried on, it would hold a lease by now.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(leases(c)).toBe(0);
    expect(c.models[0].decode.worker.stats().activeStreams).toBe(0);
    // Logged as the client's leaving, not as a service failure that would count against the error alarms.
    expect(logs.map((l) => JSON.parse(l).Outcome)).toEqual(['ClientAborted']);
  });
});

test('prompt replay: a decode endpoint that cannot ingest KV gets the whole prompt, with the same answer and usage', async () => {
  const replay = await cluster({ promptReplay: true });
  const pulled = await cluster({});
  const [a, b] = await Promise.all([bedrockClient(replay.endpoint).send(ask(10)), bedrockClient(pulled.endpoint).send(ask(10))]);
  expect(a.output).toEqual(b.output);
  expect(a.usage).toEqual(b.usage);
  expect(leases(replay)).toBe(0);
});
