import { EventStreamCodec } from '@smithy/eventstream-codec';
import { getModelSpec } from '../../../lib/hardware';
import type { RegistryConfig } from '../../../lib/runtime/routing/registry-config';
import { readBody } from '../../../lib/runtime/http/http-types';
import { MOCK_WORKER_ENV_VAR } from '../../../lib/mock/lambda/worker-environment';
import { REGISTRY_ENV_VAR } from '../../../lib/runtime/lambda/environment';
import type { FunctionUrlEvent } from '../../../lib/runtime/lambda/events';
import { createRouterCore } from '../../../lib/runtime/lambda/router-core';
import { CollectingResponseStream, installFakeAwsLambda, parseStreamedResponse } from '../../runtime/lambda/fake-awslambda';

/**
 * Mock mode as deployed, in one process: the router core calls the mock workers' function URLs
 * with SigV4-signed requests; a stand-in for the Lambda URL service checks the signature scope,
 * turns each request into a function URL event and runs the worker's streaming handler.
 */

const REGION = 'us-east-2';
const PREFILL_HOST = 'prefillabc.lambda-url.us-east-2.on.aws';
const DECODE_HOST = 'decodeabc.lambda-url.us-east-2.on.aws';
const spec = getModelSpec('llama-3.3-70b-instruct');
const MODEL_ID = spec.bedrockModelIds[1];

type StreamingHandler = (event: FunctionUrlEvent, stream: CollectingResponseStream, context: unknown) => Promise<void>;

describe('mock mode, router to function URLs', () => {
  const savedEnv = { ...process.env };
  const signedFor: string[] = [];
  let handle: Awaited<ReturnType<typeof createRouterCore>>;

  beforeAll(async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session',
      [MOCK_WORKER_ENV_VAR]: JSON.stringify({ model: spec.name, servedModelName: spec.huggingFaceId, timing: 'none' }),
    });
    installFakeAwsLambda();
    const handlers: Record<string, StreamingHandler> = {
      [PREFILL_HOST]: (await import('../../../lib/mock/lambda/mock-prefill-handler')).handler as unknown as StreamingHandler,
      [DECODE_HOST]: (await import('../../../lib/mock/lambda/mock-decode-handler')).handler as unknown as StreamingHandler,
    };

    // The Lambda URL service: IAM auth (a SigV4 signature for `lambda`), then the function.
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init = {}) => {
      const url = new URL(String(input));
      const handler = handlers[url.host];
      if (!handler) throw new Error(`unexpected call to ${url.host}`);
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      const scope = /Credential=AKIDEXAMPLE\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(headers.authorization ?? '');
      if (!scope) return new Response('{"Message":"Forbidden"}', { status: 403 });
      signedFor.push(`${url.host} ${scope[1]} ${scope[2]}`);
      const out = new CollectingResponseStream();
      await handler(
        {
          version: '2.0',
          rawPath: url.pathname,
          headers,
          requestContext: { http: { method: init.method ?? 'GET' } },
          body: Buffer.from(init.body as Uint8Array).toString('base64'),
          isBase64Encoded: true,
        },
        out,
        {},
      );
      const answer = parseStreamedResponse(out.bytes());
      return new Response(answer.body, { status: answer.statusCode, headers: answer.headers });
    });

    const registry: RegistryConfig = {
      models: [
        {
          modelIds: spec.bedrockModelIds,
          prefillUrls: [`https://${PREFILL_HOST}`],
          prefillModel: spec.huggingFaceId,
          decode: { url: `https://${DECODE_HOST}`, model: spec.huggingFaceId, canIngestKv: false },
          contextWindow: spec.contextWindow,
          maxOutputTokens: spec.maxOutputTokens,
          // Bounds on a hang, generous for a loaded machine; nothing here is slow on purpose.
          timeouts: { prefillMs: 30_000, firstTokenMs: 30_000, interTokenMs: 30_000, totalMs: 60_000 },
        },
      ],
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    handle = await createRouterCore({ ...process.env, [REGISTRY_ENV_VAR]: JSON.stringify(registry) });
  });

  afterAll(() => {
    jest.restoreAllMocks();
    process.env = savedEnv;
  });

  const call = (operation: string, body: unknown) =>
    handle({
      method: 'POST',
      path: `/model/${encodeURIComponent(MODEL_ID)}/${operation}`,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
      signal: AbortSignal.timeout(60_000),
    });
  const messages = [{ role: 'user', content: [{ text: 'Hello from mock mode' }] }];

  it('answers Converse through the decode function, in prompt replay, signed for lambda', async () => {
    const answer = await call('converse', { messages, inferenceConfig: { maxTokens: 16 } });
    const json = JSON.parse(Buffer.from(await readBody(answer.body)).toString());
    expect(answer.status).toBe(200);
    expect(json.output.message.content[0].text.length).toBeGreaterThan(0);
    expect(json.usage.outputTokens).toBeGreaterThan(0);
    expect(signedFor).toContain(`${DECODE_HOST} ${REGION} lambda`);
  });

  it('streams ConverseStream events ending with metadata', async () => {
    const answer = await call('converse-stream', { messages, inferenceConfig: { maxTokens: 16 } });
    expect(answer.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    const bytes = Buffer.from(await readBody(answer.body));
    const codec = new EventStreamCodec((s) => Buffer.from(s).toString('utf8'), (s) => Buffer.from(s, 'utf8'));
    const types: string[] = [];
    for (let offset = 0; offset < bytes.length; ) {
      const length = bytes.readUInt32BE(offset);
      const message = codec.decode(bytes.subarray(offset, offset + length));
      types.push(String(message.headers[':event-type']?.value));
      offset += length;
    }
    expect(types[0]).toBe('messageStart');
    expect(types).toContain('contentBlockDelta');
    expect(types.at(-1)).toBe('metadata');
  });

  it('counts tokens with the prefill function', async () => {
    const answer = await call('count-tokens', { input: { converse: { messages } } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(Buffer.from(await readBody(answer.body)).toString()).inputTokens).toBeGreaterThan(0);
    expect(signedFor).toContain(`${PREFILL_HOST} ${REGION} lambda`);
  });
});
