import type { Writable } from 'stream';
import { MockTiming, startMockCluster, type MockCluster } from '../../../lib/mock';
import { REGISTRY_ENV_VAR } from '../../../lib/runtime/lambda/environment';
import type { ApiGatewayProxyEvent } from '../../../lib/runtime/lambda/events';
import type { ProxyResult } from '../../../lib/runtime/lambda/lambda-http';
import { CollectingResponseStream, installFakeAwsLambda, parseStreamedResponse } from './fake-awslambda';

/**
 * Acceptance: the Lambda adapter and the local server wrap the same gateway core, so for the
 * same request against the same mock workers they answer the same bytes, buffered and streamed.
 * The clock is frozen so `latencyMs` and friends are equal too; the mock workers run with timing
 * `none` and generate deterministic text.
 */

const MODEL_ID = 'us.meta.llama3-1-70b-instruct-v1:0';
const messages = [{ role: 'user', content: [{ text: 'Why split prefill from decode? Answer briefly.' }] }];

interface Case {
  readonly operation: string;
  readonly streaming: boolean;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
  readonly modelId?: string;
  /** A path of the OpenAI-compatible API instead of a Bedrock operation. */
  readonly openAiPath?: string;
  readonly method?: string;
}

const tools = [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } }];
const callWeather = [{ role: 'user', content: [{ text: 'Use get_weather for Paris' }] }];
const openAiTools = [{ type: 'function', function: { name: 'get_weather', parameters: tools[0].toolSpec.inputSchema.json } }];
const openAiCall = { model: MODEL_ID, messages: [{ role: 'user', content: 'Use get_weather for Paris' }], tools: openAiTools };

const CASES: Case[] = [
  { operation: 'converse', streaming: false, headers: { 'content-type': 'application/json' }, body: { messages, inferenceConfig: { maxTokens: 24 } } },
  { operation: 'converse-stream', streaming: true, headers: { 'content-type': 'application/json' }, body: { messages, inferenceConfig: { maxTokens: 24 } } },
  {
    operation: 'invoke',
    streaming: false,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: { prompt: 'Why split prefill from decode?', max_gen_len: 24 },
  },
  {
    operation: 'invoke-with-response-stream',
    streaming: true,
    headers: { 'content-type': 'application/json', 'x-amzn-bedrock-accept': 'application/json' },
    body: { prompt: 'Why split prefill from decode?', max_gen_len: 24 },
  },
  { operation: 'count-tokens', streaming: false, headers: { 'content-type': 'application/json' }, body: { input: { converse: { messages } } } },
  // An error answer goes through the same path: the unknown model's ResourceNotFoundException.
  { operation: 'converse', streaming: false, headers: { 'content-type': 'application/json' }, body: { messages }, modelId: 'meta.no-such-model-v1:0' },
  // Tool use: a call's contentBlockStart, input pieces and tool_use stop, and the buffered toolUse block.
  { operation: 'converse-stream', streaming: true, headers: { 'content-type': 'application/json' }, body: { messages: callWeather, toolConfig: { tools } } },
  { operation: 'converse', streaming: false, headers: { 'content-type': 'application/json' }, body: { messages: callWeather, toolConfig: { tools, toolChoice: { any: {} } } } },
  // The OpenAI-compatible path: chat completions with tools, streamed and not, and the models list.
  { operation: 'chat completions', streaming: false, openAiPath: '/chat/completions', headers: { 'content-type': 'application/json' }, body: openAiCall },
  { operation: 'chat completions stream', streaming: true, openAiPath: '/chat/completions', headers: { 'content-type': 'application/json' }, body: { ...openAiCall, stream: true, stream_options: { include_usage: true } } },
  { operation: 'models', streaming: false, openAiPath: '/models', method: 'GET', headers: {} },
];

/** Headers that belong to the transport or to one request, not to the answer. */
const TRANSPORT_HEADERS = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding', 'x-amzn-requestid']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function answerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .map(([k, v]) => [k.toLowerCase(), v] as const)
      .filter(([k]) => !TRANSPORT_HEADERS.has(k))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

function pathOf(c: Case): string {
  return c.openAiPath ? `/openai/v1${c.openAiPath}` : `/model/${encodeURIComponent(c.modelId ?? MODEL_ID)}/${c.operation}`;
}

/** The request id an answer carries (header and, on the OpenAI path, the completion id) made one placeholder. */
function withoutRequestId(answer: Answer, requestId: string | undefined): Answer {
  if (!requestId) return answer;
  return { ...answer, body: Buffer.from(answer.body.toString('latin1').split(requestId).join('REQUEST-ID'), 'latin1') };
}

function apiGatewayEvent(c: Case): ApiGatewayProxyEvent {
  const modelId = c.modelId ?? MODEL_ID;
  if (c.openAiPath) {
    const path = pathOf(c);
    return {
      resource: path,
      path,
      httpMethod: c.method ?? 'POST',
      headers: c.headers,
      pathParameters: null,
      body: c.body === undefined ? null : Buffer.from(JSON.stringify(c.body)).toString('base64'),
      isBase64Encoded: c.body !== undefined,
    };
  }
  return {
    resource: `/model/{modelId}/${c.operation}`,
    path: pathOf(c),
    httpMethod: 'POST',
    // As API Gateway sends them: original header case, the parameter decoded, the body base64
    // (the API's binary media type is */*).
    headers: Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v])),
    pathParameters: { modelId },
    body: Buffer.from(JSON.stringify(c.body)).toString('base64'),
    isBase64Encoded: true,
  };
}

describe('the Lambda adapter answers exactly as the local server', () => {
  let cluster: MockCluster;
  let lambda: {
    handler: (event: ApiGatewayProxyEvent) => Promise<ProxyResult>;
    streamingHandler: (event: ApiGatewayProxyEvent, stream: Writable, context: unknown) => Promise<void>;
  };
  const savedRegistry = process.env[REGISTRY_ENV_VAR];

  beforeAll(async () => {
    jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 10, 29, 9, 0, 0));
    // The request log lines are not under test here; keep the output readable.
    const telemetry = () => undefined;
    cluster = await startMockCluster({
      models: ['llama-3.1-70b-instruct'],
      prefillWorkers: 1,
      timing: MockTiming.NONE,
      // Bounds on a hang, generous for a loaded machine; nothing here is slow on purpose.
      timeouts: { prefillMs: 30_000, firstTokenMs: 30_000, interTokenMs: 30_000, totalMs: 60_000 },
      gateway: { telemetry },
    });
    process.env[REGISTRY_ENV_VAR] = JSON.stringify(cluster.registry);
    installFakeAwsLambda();
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    lambda = await import('../../../lib/runtime/lambda/router-handler');
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await cluster?.close();
    if (savedRegistry === undefined) delete process.env[REGISTRY_ENV_VAR];
    else process.env[REGISTRY_ENV_VAR] = savedRegistry;
  });

  async function local(c: Case): Promise<Answer> {
    const response = await fetch(`${cluster.endpoint}${pathOf(c)}`, {
      method: c.method ?? 'POST',
      headers: c.headers,
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
      signal: AbortSignal.timeout(60_000),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => (headers[k] = v));
    const answer = { status: response.status, headers: answerHeaders(headers), body: Buffer.from(await response.arrayBuffer()) };
    return withoutRequestId(answer, headers['x-amzn-requestid']);
  }

  async function buffered(c: Case): Promise<Answer> {
    const result = await lambda.handler(apiGatewayEvent(c));
    // JSON travels as text, event streams as base64 (binary), as API Gateway expects them; server-sent events are text.
    expect(result.isBase64Encoded).toBe(c.streaming && !c.openAiPath);
    const body = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    return withoutRequestId({ status: result.statusCode, headers: answerHeaders(result.headers), body }, result.headers['x-amzn-requestid']);
  }

  async function streamed(c: Case): Promise<Answer> {
    const out = new CollectingResponseStream();
    await lambda.streamingHandler(apiGatewayEvent(c), out, {});
    const parsed = parseStreamedResponse(out.bytes());
    return withoutRequestId({ status: parsed.statusCode, headers: answerHeaders(parsed.headers), body: parsed.body }, parsed.headers['x-amzn-requestid']);
  }

  it.each(CASES.map((c) => [`${c.operation}${c.modelId ? ' (unknown model)' : ''}`, c] as const))(
    '%s',
    async (_name, c) => {
      // The workers' prefix caches change with every request they serve (the usage reports what they
      // served from it): one request first, so every answer compared finds the prompt cached alike.
      await local(c);
      const expected = await local(c);
      expect(expected.body.length).toBeGreaterThan(0);
      const viaLambda = c.streaming ? [await buffered(c), await streamed(c)] : [await buffered(c)];
      for (const answer of viaLambda) {
        expect(answer.status).toBe(expected.status);
        // Every header the gateway set reaches the client the same way through either adapter.
        for (const [name, value] of Object.entries(answer.headers)) expect(expected.headers[name]).toBe(value);
        expect(answer.headers['content-type']).toBeDefined();
        expect(answer.body.equals(expected.body)).toBe(true);
      }
      if (c.modelId) expect(expected.status).toBe(404);
      else expect(expected.status).toBe(200);
      if (c.streaming) expect(expected.headers['content-type']).toBe(c.openAiPath ? 'text/event-stream' : 'application/vnd.amazon.eventstream');
      if (c.body && JSON.stringify(c.body).includes('get_weather')) expect(expected.body.toString('latin1')).toContain('get_weather');
    },
    15_000,
  );
});
