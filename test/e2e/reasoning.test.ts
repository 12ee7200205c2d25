import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, startMockCluster } from '../../lib/mock';
import { bedrockClient, streamEvents, userSays } from './helpers';

// A reasoning model: its reasoning comes back as reasoningContent blocks, before the answer.

const MODEL = 'openai.gpt-oss-120b-1:0';
const tools = [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } }];

let cluster: MockCluster;
beforeAll(async () => {
  cluster = await startMockCluster({ models: ['gpt-oss-120b'], gateway: { telemetry: () => undefined } });
});
afterAll(() => cluster.close());

test('Converse: a reasoningContent block (reasoningText.text, no signature), then the text', async () => {
  const answer = await bedrockClient(cluster.endpoint).send(new ConverseCommand({ modelId: MODEL, messages: userSays('Why split prefill from decode?') }));
  const [reasoning, text, ...rest] = answer.output!.message!.content!;
  expect(reasoning.reasoningContent).toEqual({ reasoningText: { text: expect.stringMatching(/\w+/) } });
  expect(text.text).toEqual(expect.stringMatching(/\w+/));
  expect(rest).toEqual([]);
  expect(answer.stopReason).toBe('end_turn');
  // The same prompt reasons the same way.
  const again = await bedrockClient(cluster.endpoint).send(new ConverseCommand({ modelId: MODEL, messages: userSays('Why split prefill from decode?') }));
  expect(again.output!.message!.content).toEqual(answer.output!.message!.content);
});

test('ConverseStream: reasoning deltas in block 0, text deltas in block 1, each block stopped, no contentBlockStart for either', async () => {
  const messages = userSays('Why split prefill from decode?');
  const whole = await bedrockClient(cluster.endpoint).send(new ConverseCommand({ modelId: MODEL, messages }));
  const events = await streamEvents((await bedrockClient(cluster.endpoint).send(new ConverseStreamCommand({ modelId: MODEL, messages }))).stream!);
  expect(events.some((e) => e.name === 'contentBlockStart')).toBe(false);
  const deltas = events.filter((e) => e.name === 'contentBlockDelta').map((e) => e.payload);
  const reasoning = deltas.filter((d) => d.contentBlockIndex === 0);
  const text = deltas.filter((d) => d.contentBlockIndex === 1);
  expect(reasoning.length + text.length).toBe(deltas.length);
  expect(reasoning.map((d) => d.delta.reasoningContent.text).join('')).toBe(whole.output!.message!.content![0].reasoningContent!.reasoningText!.text);
  expect(text.map((d) => d.delta.text).join('')).toBe(whole.output!.message!.content![1].text);
  expect(events.filter((e) => e.name === 'contentBlockStop').map((e) => e.payload.contentBlockIndex)).toEqual([0, 1]);
  // Block 0 is stopped before block 1 starts.
  const names = events.map((e) => `${e.name}:${e.payload.contentBlockIndex ?? ''}`);
  expect(names.indexOf('contentBlockStop:0')).toBeLessThan(names.indexOf('contentBlockDelta:1'));
});

test('reasoning, then a tool call: the call is block 1 and has its contentBlockStart', async () => {
  const events = await streamEvents(
    (await bedrockClient(cluster.endpoint).send(new ConverseStreamCommand({ modelId: MODEL, messages: userSays('Use get_weather for Paris'), toolConfig: { tools } }))).stream!,
  );
  const start = events.find((e) => e.name === 'contentBlockStart')!.payload;
  expect(start).toEqual({ contentBlockIndex: 1, start: { toolUse: { toolUseId: expect.any(String), name: 'get_weather' } } });
  const input = events.filter((e) => e.name === 'contentBlockDelta' && e.payload.contentBlockIndex === 1).map((e) => e.payload.delta.toolUse.input).join('');
  expect(JSON.parse(input)).toEqual({ city: 'Paris' });
  expect(events.find((e) => e.name === 'messageStop')!.payload.stopReason).toBe('tool_use');
});

test('a reasoning block sent back in the history is accepted (and left out of the prompt, as chat templates do)', async () => {
  const messages = userSays('Why split prefill from decode?');
  const first = await bedrockClient(cluster.endpoint).send(new ConverseCommand({ modelId: MODEL, messages }));
  const next = await bedrockClient(cluster.endpoint).send(
    new ConverseCommand({ modelId: MODEL, messages: [...messages, first.output!.message!, ...userSays('And then?')] }),
  );
  expect(next.stopReason).toBe('end_turn');
});
