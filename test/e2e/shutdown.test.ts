import * as http2 from 'node:http2';
import { ConverseCommand, ConverseStreamCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import OpenAI from 'openai';
import { MockCluster, MockClusterOptions, MockTiming, startMockCluster, tokenize } from '../../lib/mock';
import { bedrockClient, eventually, readConverseStream, rejection, TRANSPORTS, userSays } from './helpers';

/**
 * Stopping the gateway (what the mock CLI does on SIGTERM) as the official client sees it:
 * streams in progress finish in full within the grace period; one still running when it ends
 * gets an in-stream ServiceUnavailableException the client raises; a buffered request still
 * running gets a 503 ServiceUnavailableException. Never a stream that looks finished but is not.
 */
const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
/** Realistic decode pacing (~2,100 tokens/s for this model) keeps streams open for a known time. */
const paced: MockClusterOptions = { timing: MockTiming.REALISTIC, answerTokens: 100_000, prefillWorkers: 2, gateway: { telemetry: () => undefined } };
const leases = (c: MockCluster) => c.models[0].prefill.reduce((sum, p) => sum + p.worker.leases.size, 0);

test('64 ConverseStreams in progress over HTTP/2 (default handler) all finish in full when the gateway stops', async () => {
  // Each decode holds its first token 5 s, so all 64 are surely in progress when the gateway is
  // told to stop, however loaded the machine; the grace period is far longer than they need, so
  // only a cut could fail them.
  const cluster = await startMockCluster({
    ...paced,
    faults: { decodeDelayMs: 5000 },
    timeouts: { firstTokenMs: 60_000 },
    server: { shutdownGraceMs: 60_000 },
  });
  const client = bedrockClient(cluster.endpoint);
  const maxTokens = 1000;
  const streams = Array.from({ length: 64 }, async () => {
    const response = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: userSays('tell me everything'), inferenceConfig: { maxTokens } }));
    return readConverseStream(response.stream!);
  });
  await eventually(() => cluster.gateway.inFlight === 64, 20_000);
  const closed = cluster.close();
  const outcomes = await Promise.all(streams);
  await closed;
  for (const stream of outcomes) {
    expect(stream.events.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    expect(stream.stopReason).toBe('max_tokens');
    expect(tokenize(stream.text)).toHaveLength(maxTokens);
  }
  client.destroy();
}, 120_000);

describe.each(TRANSPORTS)('over %s, at the end of the grace period', (transport) => {
  let cluster: MockCluster;
  beforeEach(async () => {
    cluster = await startMockCluster({ ...paced, server: { shutdownGraceMs: 300 } });
  });
  afterEach(() => cluster.close());

  test('a ConverseStream still running ends with a ServiceUnavailableException the client raises', async () => {
    const client = bedrockClient(cluster.endpoint, transport);
    // 8,000 tokens take ~4 s: far past the grace period.
    const response = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: userSays('tell me everything'), inferenceConfig: { maxTokens: 8000 } }));
    const closed = cluster.close();
    const events: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of response.stream!) {
          if (event.messageStart) events.push('messageStart');
          if (event.messageStop) events.push('messageStop');
        }
      })(),
    );
    expect(error.name).toBe('ServiceUnavailableException');
    expect(error.message).toMatch(/shutting down/);
    expect(events[0]).toBe('messageStart');
    expect(events).not.toContain('messageStop');
    await closed;
    expect(cluster.gateway.inFlight).toBe(0);
    expect(cluster.models[0].decode.worker.stats().activeStreams).toBe(0);
    expect(leases(cluster)).toBe(0);
    client.destroy();
  }, 60_000);

  test('an InvokeModelWithResponseStream still running ends the same way', async () => {
    const client = bedrockClient(cluster.endpoint, transport);
    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: MODEL, body: JSON.stringify({ prompt: 'tell me everything', max_gen_len: 8000 }), contentType: 'application/json' }),
    );
    const closed = cluster.close();
    const error = await rejection(
      (async () => {
        for await (const event of response.body!) void event;
      })(),
    );
    expect(error.name).toBe('ServiceUnavailableException');
    await closed;
    client.destroy();
  }, 60_000);

  test('a Converse still running is answered 503 ServiceUnavailableException', async () => {
    const client = bedrockClient(cluster.endpoint, transport);
    const call = client.send(new ConverseCommand({ modelId: MODEL, messages: userSays('tell me everything'), inferenceConfig: { maxTokens: 8000 } }));
    await eventually(() => cluster.gateway.inFlight === 1, 20_000);
    const closed = cluster.close();
    const error = await rejection(call);
    expect(error.name).toBe('ServiceUnavailableException');
    expect(error.$metadata?.httpStatusCode).toBe(503);
    await closed;
    client.destroy();
  }, 60_000);
});

test('a streamed chat completion (OpenAI-compatible path) still running ends with an error event the openai client raises', async () => {
  const cluster = await startMockCluster({ ...paced, server: { shutdownGraceMs: 300 } });
  const client = new OpenAI({ baseURL: `${cluster.endpoint}/openai/v1`, apiKey: 'local', maxRetries: 0 });
  // 8,000 tokens take seconds: far past the grace period.
  const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'tell me everything' }], max_completion_tokens: 8000, stream: true });
  const closed = cluster.close();
  const finishReasons: Array<string | null> = [];
  let text = '';
  const error = await rejection(
    (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        finishReasons.push(chunk.choices[0]?.finish_reason ?? null);
      }
    })(),
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('ServiceUnavailableException');
  expect(error.message).toMatch(/shutting down/);
  expect(text.length).toBeGreaterThan(0);
  expect(finishReasons.filter((reason) => reason !== null)).toEqual([]);
  await closed;
  expect(cluster.gateway.inFlight).toBe(0);
  expect(cluster.models[0].decode.worker.stats().activeStreams).toBe(0);
}, 60_000);

test('a chat completion (OpenAI-compatible path, not streamed) still running is answered 503 in OpenAI\'s error shape', async () => {
  const cluster = await startMockCluster({ ...paced, server: { shutdownGraceMs: 300 } });
  const client = new OpenAI({ baseURL: `${cluster.endpoint}/openai/v1`, apiKey: 'local', maxRetries: 0 });
  const call = client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'tell me everything' }], max_completion_tokens: 8000 });
  await eventually(() => cluster.gateway.inFlight === 1, 20_000);
  const closed = cluster.close();
  const error = (await rejection(call)) as InstanceType<typeof OpenAI.APIError>;
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect(error.status).toBe(503);
  expect(error.code).toBe('ServiceUnavailableException');
  expect(error.message).toMatch(/shutting down/);
  await closed;
}, 60_000);

test('on the wire (raw HTTP/2): the last frame is a serviceUnavailableException event, then END_STREAM, no reset', async () => {
  const cluster = await startMockCluster({ ...paced, server: { shutdownGraceMs: 300 } });
  const session = http2.connect(cluster.endpoint);
  session.on('error', () => undefined);
  const stream = session.request({ ':method': 'POST', ':path': `/model/${encodeURIComponent(MODEL)}/converse-stream`, 'content-type': 'application/json' });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<string>((resolve) => {
    stream.on('end', () => resolve('end'));
    stream.on('error', (error) => resolve(`error ${error.message}`));
  });
  stream.end(JSON.stringify({ messages: userSays('tell me everything'), inferenceConfig: { maxTokens: 8000 } }));
  await eventually(() => chunks.length > 0, 20_000);
  const closed = cluster.close();
  expect(await ended).toBe('end');
  expect(stream.rstCode ?? 0).toBe(http2.constants.NGHTTP2_NO_ERROR);
  await closed;
  session.destroy();

  const codec = new EventStreamCodec(
    (bytes) => Buffer.from(bytes).toString('utf8'),
    (text) => Buffer.from(text, 'utf8'),
  );
  const messages = [];
  let rest = Buffer.concat(chunks);
  while (rest.length >= 4) {
    const length = rest.readUInt32BE(0);
    messages.push(codec.decode(rest.subarray(0, length)));
    rest = rest.subarray(length);
  }
  expect(rest.length).toBe(0);
  const last = messages[messages.length - 1];
  expect(last.headers[':message-type'].value).toBe('exception');
  expect(last.headers[':exception-type'].value).toBe('serviceUnavailableException');
  expect(JSON.parse(Buffer.from(last.body).toString()).message).toMatch(/shutting down/);
  expect(messages.slice(0, -1).every((m) => m.headers[':message-type'].value === 'event')).toBe(true);
}, 60_000);
