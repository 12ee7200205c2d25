import {
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, startMockCluster } from '../../lib/mock';
import { bedrockClient, readConverseStream, rejection, TRANSPORTS, userSays } from './helpers';

const PROMPT = 'Explain disaggregated inference in one paragraph.';
const PROFILE_ID = 'us.meta.llama3-3-70b-instruct-v1:0';

let cluster: MockCluster;
const logLines: string[] = [];

beforeAll(async () => {
  cluster = await startMockCluster({ gateway: { telemetry: (line) => logLines.push(line) } });
});
afterAll(() => cluster.close());

describe.each(TRANSPORTS)('every operation through the official client over %s', (transport) => {
  const client = () => bedrockClient(cluster.endpoint, transport);

  test('Converse answers with text, end_turn, usage that matches CountTokens, integer latency', async () => {
    const answer = await client().send(new ConverseCommand({ modelId: PROFILE_ID, messages: userSays(PROMPT) }));
    const text = answer.output?.message?.content?.[0]?.text ?? '';
    expect(answer.output?.message?.role).toBe('assistant');
    expect(text.split(' ').length).toBeGreaterThan(5);
    expect(answer.stopReason).toBe('end_turn');
    const counted = await client().send(
      new CountTokensCommand({ modelId: PROFILE_ID, input: { converse: { messages: userSays(PROMPT) } } }),
    );
    expect(answer.usage?.inputTokens).toBe(counted.inputTokens);
    expect(answer.usage?.outputTokens).toBeGreaterThan(0);
    expect(answer.usage?.totalTokens).toBe(answer.usage!.inputTokens! + answer.usage!.outputTokens!);
    expect(Number.isInteger(answer.metrics?.latencyMs)).toBe(true);
  });

  test('ConverseStream sends its events in order, and the deltas spell the Converse answer', async () => {
    const whole = await client().send(new ConverseCommand({ modelId: PROFILE_ID, messages: userSays(PROMPT) }));
    const streamed = await client().send(new ConverseStreamCommand({ modelId: PROFILE_ID, messages: userSays(PROMPT) }));
    const { events, text, metadata, stopReason } = await readConverseStream(streamed.stream!);
    expect(events[0]).toBe('messageStart');
    expect(events.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    expect(new Set(events.slice(1, -3))).toEqual(new Set(['contentBlockDelta']));
    expect(text).toBe(whole.output?.message?.content?.[0]?.text);
    expect(stopReason).toBe('end_turn');
    expect(metadata?.usage).toEqual(whole.usage);
    expect(Number.isInteger(metadata?.metrics?.latencyMs)).toBe(true);
  });

  test('maxTokens cuts the answer with max_tokens; a stop sequence ends it with stop_sequence', async () => {
    const cut = await client().send(
      new ConverseCommand({ modelId: PROFILE_ID, messages: userSays(PROMPT), inferenceConfig: { maxTokens: 3 } }),
    );
    expect(cut.stopReason).toBe('max_tokens');
    expect(cut.usage?.outputTokens).toBe(3);

    const whole = await client().send(new ConverseCommand({ modelId: PROFILE_ID, messages: userSays(PROMPT) }));
    const wholeText = whole.output!.message!.content![0].text!;
    const stop = wholeText.split(' ')[4];
    const stopped = await client().send(
      new ConverseCommand({ modelId: PROFILE_ID, messages: userSays(PROMPT), inferenceConfig: { stopSequences: [' ' + stop] } }),
    );
    expect(stopped.stopReason).toBe('stop_sequence');
    expect(stopped.output?.message?.content?.[0]?.text).toBe(wholeText.slice(0, wholeText.indexOf(' ' + stop)));
  });

  test('InvokeModel takes and returns the Llama native body; its stream spells the same generation', async () => {
    const body = JSON.stringify({ prompt: PROMPT, max_gen_len: 20, temperature: 0.5, top_p: 0.9 });
    const answer = await client().send(
      new InvokeModelCommand({ modelId: cluster.modelIds[0], body, contentType: 'application/json', accept: 'application/json' }),
    );
    expect(answer.contentType).toBe('application/json');
    const whole = JSON.parse(Buffer.from(answer.body).toString('utf8'));
    expect(whole).toEqual({
      generation: expect.any(String),
      prompt_token_count: expect.any(Number),
      generation_token_count: expect.any(Number),
      stop_reason: expect.stringMatching(/^(stop|length)$/),
    });
    const counted = await client().send(
      new CountTokensCommand({ modelId: cluster.modelIds[0], input: { invokeModel: { body: new TextEncoder().encode(body) } } }),
    );
    expect(whole.prompt_token_count).toBe(counted.inputTokens);

    const streamed = await client().send(
      new InvokeModelWithResponseStreamCommand({ modelId: cluster.modelIds[0], body, contentType: 'application/json' }),
    );
    expect(streamed.contentType).toBe('application/json');
    const chunks: Array<Record<string, unknown>> = [];
    for await (const event of streamed.body!) chunks.push(JSON.parse(Buffer.from(event.chunk!.bytes!).toString('utf8')));
    expect(chunks.map((c) => c.generation).join('')).toBe(whole.generation);
    expect(chunks[0].prompt_token_count).toBe(whole.prompt_token_count);
    const last = chunks[chunks.length - 1];
    expect(last.stop_reason).toBe(whole.stop_reason);
    expect(last['amazon-bedrock-invocationMetrics']).toEqual({
      inputTokenCount: whole.prompt_token_count,
      outputTokenCount: whole.generation_token_count,
      invocationLatency: expect.any(Number),
      firstByteLatency: expect.any(Number),
      // A prompt shorter than one 17-token block has nothing a prefix cache can serve.
      cacheReadInputTokenCount: 0,
      cacheWriteInputTokenCount: 0,
    });
  });

  test('the same model answers to its foundation id, inference-profile id and ARN', async () => {
    for (const modelId of cluster.modelIds) {
      const answer = await client().send(new ConverseCommand({ modelId, messages: userSays('hi'), inferenceConfig: { maxTokens: 2 } }));
      expect(answer.usage?.outputTokens).toBe(2);
    }
    expect(cluster.modelIds).toEqual(expect.arrayContaining([expect.stringMatching(/^arn:aws:bedrock:/), PROFILE_ID]));
  });

  test('an unknown model is a ResourceNotFoundException', async () => {
    const error = await rejection(client().send(new ConverseCommand({ modelId: 'anthropic.claude-v2', messages: userSays('hi') })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain('anthropic.claude-v2');
    expect((error as { $metadata?: { requestId?: string } }).$metadata?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

test('each request writes one embedded-metric-format line naming the model and outcome', () => {
  const lines = logLines.map((line) => JSON.parse(line));
  expect(lines.length).toBeGreaterThan(10);
  const converse = lines.find((l) => l.Operation === 'Converse' && l.Outcome === 'success');
  expect(converse).toMatchObject({ ModelId: PROFILE_ID, Requests: 1, _aws: { CloudWatchMetrics: [{ Namespace: 'DisaggregatedInference' }] } });
  for (const name of ['InputTokens', 'OutputTokens', 'PrefillLatency', 'KvHandoffLatency', 'TimeToFirstToken']) {
    expect(typeof converse[name]).toBe('number');
  }
  const notFound = lines.find((l) => l.Outcome === 'ResourceNotFoundException');
  expect(notFound).toMatchObject({ ErrorType: 'ResourceNotFoundException', Errors: 1, ModelId: 'unknown' });
});
