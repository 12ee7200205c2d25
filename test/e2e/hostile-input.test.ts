import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, startMockCluster } from '../../lib/mock';
import { bedrockClient, rejection, userSays } from './helpers';

// Nothing a client sends gets a 5xx; error messages quote a bounded excerpt and name no internal address.

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
const logs: string[] = [];
let cluster: MockCluster;
beforeAll(async () => {
  cluster = await startMockCluster({ gateway: { telemetry: (line) => logs.push(line) } });
});
afterAll(() => cluster.close());

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

async function send(path: string, body: string, method = 'POST'): Promise<{ status: number; type: string | null; message: string }> {
  const response = await fetch(`${cluster.endpoint}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : body });
  // A streamed answer (200) is not JSON; only an error's body is read.
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  const json = (isJson ? await response.json() : (await response.arrayBuffer(), {})) as { message?: string; error?: { message: string; code: string } };
  return { status: response.status, type: response.headers.get('x-amzn-errortype') ?? json.error?.code ?? null, message: json.message ?? json.error?.message ?? '' };
}
const converse = (body: string) => send(`/model/${encodeURIComponent(MODEL)}/converse`, body);
const invoke = (body: string) => send(`/model/${encodeURIComponent(MODEL)}/invoke`, body);

describe('JSON nested 5,000 deep is a ValidationException naming where, not a stack overflow', () => {
  test.each([
    ['role', `{"messages":[{"role":${deep(5000)},"content":[{"text":"hi"}]}]}`, /at messages\[0\]\.role\[0\]/],
    ['maxTokens', `{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":${deep(5000)}}}`, /at inferenceConfig\.maxTokens\[0\]/],
    ['temperature', `{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"temperature":${deep(5000)}}}`, /at inferenceConfig\.temperature/],
  ])('in %s', async (_field, body, where) => {
    const answer = await converse(body);
    expect(answer).toMatchObject({ status: 400, type: 'ValidationException' });
    expect(answer.message).toMatch(/^The request body nests JSON more than 128 levels deep \(at /);
    expect(answer.message).toMatch(where);
    expect(answer.message.length).toBeLessThan(200);
  });

  test("in InvokeModel's native top_p", async () => {
    const answer = await invoke(`{"prompt":"hi","top_p":${deep(5000)}}`);
    expect(answer).toMatchObject({ status: 400, type: 'ValidationException' });
    expect(answer.message).toMatch(/more than 128 levels deep \(at top_p\[0\]/);
  });
});

test('a 3 MB invalid role is quoted as a short excerpt with its length', async () => {
  const role = 'x'.repeat(3_000_000);
  const answer = await converse(JSON.stringify({ messages: [{ role, content: [{ text: 'hi' }] }] }));
  expect(answer).toMatchObject({ status: 400, type: 'ValidationException' });
  expect(answer.message).toBe(`messages[0].role must be "user" or "assistant"; got "${'x'.repeat(40)}"… (3000000 characters).`);
});

test('maxTokens 1e309 (Infinity once parsed) is named as such, not as null', async () => {
  const answer = await converse('{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":1e309}}');
  expect(answer.message).toBe("inferenceConfig.maxTokens must be an integer from 1 to 8192 (this model's output limit); got Infinity (a number beyond the range of a double).");
});

test("a prompt past the context window names the sizes, not the prefill worker's address; the log line has the address", async () => {
  const error = await rejection(bedrockClient(cluster.endpoint).send(new ConverseCommand({ modelId: MODEL, messages: userSays('a '.repeat(140_000)) })));
  expect(error.name).toBe('ValidationException');
  expect(error.message).toMatch(/^prefill: This model's maximum context length is 131072 tokens\. However, your request has 14\d{4} input tokens\.$/);
  expect(error.message).not.toMatch(/127\.0\.0\.1|http:\/\/|localhost/);
  const line = JSON.parse(logs.filter((l) => l.includes('"ErrorType":"ValidationException"')).pop()!);
  expect(line.ErrorDetail).toContain(cluster.registry.models[0].prefillUrls[0].slice(0, 'http://127.0.0.1'.length));
});

describe('no 5xx for anything a client sends', () => {
  /** Values a client may put anywhere; `JSON` marks raw JSON text (what JSON.stringify cannot write). */
  const HOSTILE = ['null', 'true', 'false', '0', '-1', '1e309', '-1e309', '1.5', '""', JSON.stringify('x'.repeat(100_000)), '[]', '{}', '[null]', '[{}]', '{"toolUse":1}', deep(5000), '{"a":{"b":{"c":[1,{"d":null}]}}}'];
  const CONVERSE_FIELDS = [
    'messages', 'messages[0]', 'messages[0].role', 'messages[0].content', 'messages[0].content[0]', 'messages[0].content[0].text',
    'system', 'inferenceConfig', 'inferenceConfig.maxTokens', 'inferenceConfig.temperature', 'inferenceConfig.topP', 'inferenceConfig.stopSequences',
    'toolConfig', 'toolConfig.tools', 'toolConfig.tools[0]', 'toolConfig.tools[0].toolSpec', 'toolConfig.tools[0].toolSpec.name',
    'toolConfig.tools[0].toolSpec.inputSchema', 'toolConfig.tools[0].toolSpec.inputSchema.json', 'toolConfig.toolChoice',
    'performanceConfig', 'performanceConfig.latency', 'requestMetadata', 'additionalModelRequestFields', 'additionalModelRequestFields.top_k',
    'additionalModelResponseFieldPaths', 'guardrailConfig',
  ];
  const base = () => ({
    messages: [{ role: 'user', content: [{ text: 'Use get_weather for Paris' }] }],
    system: [{ text: 'Be brief.' }],
    inferenceConfig: { maxTokens: 4, temperature: 0.5, topP: 0.9, stopSequences: ['END'] },
    toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } }], toolChoice: { auto: {} } },
    performanceConfig: { latency: 'standard' },
    requestMetadata: { k: 'v' },
    additionalModelRequestFields: { top_k: 40 },
    additionalModelResponseFieldPaths: ['/x'],
  });
  const PLACEHOLDER = '"__HOSTILE__"';

  /** The body with the value at `path` replaced by raw JSON text. */
  function withValue(body: Record<string, unknown>, path: string, raw: string): string {
    const keys = path.match(/[^.[\]]+/g)!;
    let node: any = body;
    for (const key of keys.slice(0, -1)) node = node[key] ??= {};
    node[keys[keys.length - 1]] = '__HOSTILE__';
    return JSON.stringify(body).replace(PLACEHOLDER, raw);
  }

  async function sweep(send: (body: string) => Promise<{ status: number; type: string | null; message: string }>, fields: string[], make: () => Record<string, unknown>) {
    const failures: string[] = [];
    for (const field of fields) {
      for (const value of HOSTILE) {
        const answer = await send(withValue(make(), field, value));
        if (answer.status >= 500 || (answer.status >= 400 && !answer.type) || answer.message.length > 700) {
          failures.push(`${field} = ${value.slice(0, 30)}: ${answer.status} ${answer.type} ${answer.message.slice(0, 100)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }

  test('Converse, ConverseStream and CountTokens', async () => {
    await sweep(converse, CONVERSE_FIELDS, base);
    await sweep((body) => send(`/model/${encodeURIComponent(MODEL)}/converse-stream`, body), CONVERSE_FIELDS, base);
    await sweep((body) => send(`/model/${encodeURIComponent(MODEL)}/count-tokens`, body), ['input', 'input.converse', ...CONVERSE_FIELDS.map((f) => `input.converse.${f}`)], () => ({ input: { converse: base() } }));
  }, 60_000);

  test('InvokeModel and the OpenAI-compatible chat completions', async () => {
    await sweep(invoke, ['prompt', 'max_gen_len', 'temperature', 'top_p'], () => ({ prompt: 'hi', max_gen_len: 4 }));
    await sweep(
      (body) => send('/openai/v1/chat/completions', body),
      ['model', 'messages', 'messages[0]', 'messages[0].role', 'messages[0].content', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'n', 'stream', 'stream_options', 'tools', 'tools[0]', 'tools[0].function', 'tools[0].function.name', 'tools[0].function.parameters', 'tool_choice', 'top_k', 'seed', 'response_format'],
      () => ({ model: MODEL, messages: [{ role: 'user', content: 'Use get_weather for Paris' }], max_tokens: 4, tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] }),
    );
  }, 60_000);
});
