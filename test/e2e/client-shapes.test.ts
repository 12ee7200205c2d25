import { EventStreamCodec } from '@smithy/eventstream-codec';
import { MockCluster, startMockCluster } from '../../lib/mock';
import type { FetchFunction } from '../../lib/runtime/routing/fetch-function';
import { nodeFetch } from '../../lib/runtime/routing/node-fetch';

// The request bodies real clients send (captured from them: /work/research/issue8-clients.md, section 3),
// sent as they send them, over HTTP/1.1: each is understood, and the answers have what those clients require.

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
const TOOL = {
  toolSpec: {
    name: 'get_weather',
    description: 'Get the weather',
    inputSchema: { json: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] } },
  },
};
const ASK = { role: 'user', content: [{ text: 'What is the weather in Paris?' }] };
const CALL = { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_abc123', name: 'get_weather', input: { city: 'Paris' } } }] };

let cluster: MockCluster;
const workerBodies: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  // What reaches the workers, to see which fields pass through.
  const recording: FetchFunction = (url, init) => {
    workerBodies.push(JSON.parse(Buffer.from(init.body as Uint8Array).toString('utf8')));
    return nodeFetch(url, init);
  };
  cluster = await startMockCluster({ gateway: { telemetry: () => undefined, fetch: recording } });
});
afterAll(() => cluster.close());

async function post(operation: string, body: unknown): Promise<{ status: number; json: any; raw: Buffer }> {
  const response = await fetch(`${cluster.endpoint}/model/${encodeURIComponent(MODEL)}/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const raw = Buffer.from(await response.arrayBuffer());
  return { status: response.status, json: operation === 'converse' ? JSON.parse(raw.toString()) : undefined, raw };
}

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => Buffer.from(s, 'utf8'));
/** The events of an event-stream body: name and JSON payload. */
function events(raw: Buffer): Array<{ name: string; payload: any }> {
  const out: Array<{ name: string; payload: any }> = [];
  for (let offset = 0; offset < raw.length; ) {
    const length = raw.readUInt32BE(offset);
    const message = codec.decode(raw.subarray(offset, offset + length));
    out.push({ name: String(message.headers[':event-type']?.value), payload: JSON.parse(Buffer.from(message.body).toString()) });
    offset += length;
  }
  return out;
}

describe("Vercel's AI SDK (@ai-sdk/amazon-bedrock 4.0.186)", () => {
  test('`system: []` on every call without a system prompt', async () => {
    const { status, json } = await post('converse', { system: [], messages: [ASK] });
    expect(status).toBe(200);
    expect(json.output.message.content[0].text).toEqual(expect.any(String));
    // Vercel's response schema requires usage.
    expect(json.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: expect.any(Number), totalTokens: expect.any(Number), cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
  });

  test('tools with toolChoice {auto: {}}, and the follow-up with the json result sent as text', async () => {
    const first = await post('converse', { system: [], messages: [{ role: 'user', content: [{ text: 'Use get_weather for Paris' }] }], toolConfig: { tools: [TOOL], toolChoice: { auto: {} } } });
    expect(first.json.stopReason).toBe('tool_use');
    const follow = await post('converse', {
      system: [],
      messages: [ASK, CALL, { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_abc123', content: [{ text: '{"tempC":21}' }] } }] }],
      toolConfig: { tools: [TOOL], toolChoice: { auto: {} } },
    });
    expect(follow.json.stopReason).toBe('end_turn');
    expect(follow.json.output.message.content[0].text).toBe('The get_weather tool returned {"tempC":21}.');
  });

  test('cachePoint blocks after the system prompt and the user message; additionalModelRequestFields and response field paths', async () => {
    workerBodies.length = 0;
    const { status } = await post('converse', {
      system: [{ text: 'You are a terse assistant.' }, { cachePoint: { type: 'default' } }],
      messages: [{ role: 'user', content: [{ text: 'hi' }, { cachePoint: { type: 'default' } }] }],
      inferenceConfig: { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      additionalModelRequestFields: { top_k: 40 },
      additionalModelResponseFieldPaths: ['/delta/stop_sequence'],
    });
    expect(status).toBe(200);
    // top_k reaches both stages; the cache points are no part of the prompt.
    expect(workerBodies).toHaveLength(2);
    for (const body of workerBodies) expect(body).toMatchObject({ top_k: 40, messages: [{ role: 'system', content: 'You are a terse assistant.' }, { role: 'user', content: 'hi' }] });
  });

  test('the stream of a tool call: contentBlockStart with the id and name, string input pieces, a stop per block, stopReason tool_use', async () => {
    const { raw } = await post('converse-stream', { system: [], messages: [{ role: 'user', content: [{ text: 'Use get_weather for Paris' }] }], toolConfig: { tools: [TOOL], toolChoice: { auto: {} } } });
    const stream = events(raw);
    expect(stream[0]).toEqual({ name: 'messageStart', payload: { role: 'assistant' } });
    expect(stream.filter((e) => e.name === 'contentBlockStop')).toHaveLength(1);
    expect(stream.filter((e) => e.name === 'contentBlockDelta').every((e) => typeof e.payload.delta.toolUse.input === 'string')).toBe(true);
    expect(stream.find((e) => e.name === 'messageStop')!.payload).toEqual({ stopReason: 'tool_use' });
  });
});

describe("LangChain's ChatBedrockConverse (@langchain/aws 1.4.5)", () => {
  test('a zod tool ($schema, additionalProperties: false), description after the schema, no toolChoice', async () => {
    const zodTool = { toolSpec: { name: 'get_weather', inputSchema: { json: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...TOOL.toolSpec.inputSchema.json, additionalProperties: false } }, description: 'Get the weather' } };
    const { json } = await post('converse', { messages: [{ role: 'user', content: [{ text: 'Use get_weather for Paris' }] }], toolConfig: { tools: [zodTool] } });
    expect(json.output.message.content[0].toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
  });

  test('cache_control: a cachePoint with ttl 1h after the system prompt, the last message and the tools', async () => {
    const point = { cachePoint: { type: 'default', ttl: '1h' } };
    const { status, json } = await post('converse', {
      messages: [{ role: 'user', content: [{ text: 'hi' }, point] }],
      system: [{ text: 'You are a terse assistant.' }, point],
      toolConfig: { tools: [TOOL, point] },
    });
    expect(status).toBe(200);
    expect(json.stopReason).toBe('end_turn');
  });
});

describe('Strands Agents (@strands-agents/sdk 1.16.0)', () => {
  test('a tool that returned an object comes back as a json block; one that threw, as text with status error', async () => {
    const json = await post('converse', {
      messages: [ASK, CALL, { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_abc123', content: [{ json: { city: 'Paris', tempC: 21 } }], status: 'success' } }] }],
      system: [{ text: 'You are a terse assistant.' }],
      toolConfig: { tools: [TOOL] },
    });
    expect(json.json.output.message.content[0].text).toBe('The get_weather tool returned {"city":"Paris","tempC":21}.');
    const failed = await post('converse', {
      messages: [ASK, CALL, { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_abc123', content: [{ text: 'Error: weather service down' }], status: 'error' } }] }],
      toolConfig: { tools: [TOOL] },
    });
    expect(failed.json.output.message.content[0].text).toBe('The get_weather tool returned Error: weather service down.');
    const bare = await post('converse', {
      messages: [ASK, CALL, { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_abc123', content: [{ text: 'service down' }], status: 'error' } }] }],
      toolConfig: { tools: [TOOL] },
    });
    // The tools protocol has no status: the result's text says it failed.
    expect(bare.json.output.message.content[0].text).toBe('The get_weather tool returned Error: service down.');
  });
});
