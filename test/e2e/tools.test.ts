import { ConverseCommand, ConverseStreamCommand, CountTokensCommand, type Message, type Tool } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, startMockCluster } from '../../lib/mock';
import { bedrockClient, streamEvents, TRANSPORTS, userSays } from './helpers';

// Tool use through the official client against the mock: the mock model's rules (README, "Local mock mode").

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
const weather: Tool = {
  toolSpec: {
    name: 'get_weather',
    description: 'Get the weather',
    inputSchema: {
      json: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 }, units: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
        required: ['city', 'days', 'units'],
      },
    },
  },
};
const clock: Tool = { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } } } };
const tools = [weather, clock];

let cluster: MockCluster;
beforeAll(async () => {
  cluster = await startMockCluster({ gateway: { telemetry: () => undefined } });
});
afterAll(() => cluster.close());

describe.each(TRANSPORTS)('tool use over %s', (transport) => {
  const client = () => bedrockClient(cluster.endpoint, transport);
  const converse = (messages: Message[], toolChoice?: Record<string, unknown>) =>
    client().send(new ConverseCommand({ modelId: MODEL, messages, toolConfig: { tools, ...(toolChoice ? { toolChoice: toolChoice as never } : {}) } }));

  test('auto: a message that names a tool gets a call with arguments from its schema and the message', async () => {
    const answer = await converse(userSays('Use get_weather for 3 days in Paris'));
    expect(answer.stopReason).toBe('tool_use');
    const use = answer.output?.message?.content?.[0]?.toolUse;
    expect(use).toEqual({ toolUseId: expect.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/), name: 'get_weather', input: { city: 'Paris', days: 3, units: 'celsius' } });
  });

  test('auto: a message that names no tool gets text', async () => {
    const answer = await converse(userSays('Tell me about the weather'), { auto: {} });
    expect(answer.stopReason).toBe('end_turn');
    expect(answer.output?.message?.content?.[0]?.text).toEqual(expect.any(String));
  });

  test('any calls the tool the message names, else the first; tool{name} calls that tool', async () => {
    const named = await converse(userSays('What does get_time say for Tokyo?'), { any: {} });
    expect(named.output?.message?.content?.[0]?.toolUse).toMatchObject({ name: 'get_time', input: { zone: 'Tokyo' } });
    const first = await converse(userSays('Anything for Oslo'), { any: {} });
    expect(first.output?.message?.content?.[0]?.toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Oslo' } });
    const forced = await converse(userSays('Use get_weather for Oslo'), { tool: { name: 'get_time' } });
    expect(forced.stopReason).toBe('tool_use');
    expect(forced.output?.message?.content?.[0]?.toolUse).toMatchObject({ name: 'get_time', input: { zone: 'Oslo' } });
  });

  test('the round trip: the tool result (text or json) comes back, the model answers with text that uses it', async () => {
    const question = userSays('Use get_weather for 3 days in Paris')[0];
    const call = await converse([question]);
    const use = call.output!.message!.content![0].toolUse!;
    for (const content of [[{ json: { tempC: 21 } }], [{ text: '{"tempC":21}' }]]) {
      const answer = await converse([question, call.output!.message!, { role: 'user', content: [{ toolResult: { toolUseId: use.toolUseId!, content } }] }], { any: {} });
      expect(answer.stopReason).toBe('end_turn');
      expect(answer.output?.message?.content?.[0]?.text).toBe('The get_weather tool returned {"tempC":21}.');
    }
  });

  test('ConverseStream: contentBlockStart names the call, the input arrives in several string pieces, the stream stops with tool_use', async () => {
    const response = await client().send(
      new ConverseStreamCommand({ modelId: MODEL, messages: userSays('Use get_weather for 3 days in Paris'), toolConfig: { tools } }),
    );
    const events = await streamEvents(response.stream!);
    expect(events.map((e) => e.name).filter((n, i, all) => n !== all[i - 1])).toEqual([
      'messageStart',
      'contentBlockStart',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    expect(events[1].payload).toEqual({ contentBlockIndex: 0, start: { toolUse: { toolUseId: expect.any(String), name: 'get_weather' } } });
    const pieces = events.filter((e) => e.name === 'contentBlockDelta').map((e) => e.payload);
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) expect(piece).toEqual({ contentBlockIndex: 0, delta: { toolUse: { input: expect.any(String) } } });
    expect(JSON.parse(pieces.map((p) => p.delta.toolUse.input).join(''))).toEqual({ city: 'Paris', days: 3, units: 'celsius' });
    expect(events.find((e) => e.name === 'messageStop')!.payload.stopReason).toBe('tool_use');
  });

  test('CountTokens counts the tools too, as the Converse that carries them', async () => {
    const messages = userSays('Tell me about the weather');
    const answer = await converse(messages);
    const counted = await client().send(new CountTokensCommand({ modelId: MODEL, input: { converse: { messages, toolConfig: { tools } } } }));
    const without = await client().send(new CountTokensCommand({ modelId: MODEL, input: { converse: { messages } } }));
    // The Converse's whole input: what its usage reports uncached plus what the prefix cache served or wrote.
    const usage = answer.usage!;
    expect(counted.inputTokens).toBe(usage.inputTokens! + usage.cacheReadInputTokens! + usage.cacheWriteInputTokens!);
    expect(counted.inputTokens!).toBeGreaterThan(without.inputTokens!);
  });
});

test('tool JSON the model gets wrong ends in malformed_tool_use, buffered and streamed, never an error', async () => {
  const faulty = await startMockCluster({ faults: { malformedToolCalls: true }, gateway: { telemetry: () => undefined } });
  try {
    const client = bedrockClient(faulty.endpoint);
    const request = { modelId: MODEL, messages: userSays('Use get_weather for Paris'), toolConfig: { tools } };
    const answer = await client.send(new ConverseCommand(request));
    expect(answer.stopReason).toBe('malformed_tool_use');
    const input = answer.output?.message?.content?.[0]?.toolUse?.input;
    expect(typeof input).toBe('string');
    expect(() => JSON.parse(input as unknown as string)).toThrow();
    const streamed = await streamEvents((await client.send(new ConverseStreamCommand(request))).stream!);
    expect(streamed.find((e) => e.name === 'messageStop')!.payload.stopReason).toBe('malformed_tool_use');
  } finally {
    await faulty.close();
  }
});
