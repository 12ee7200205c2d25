import { BedrockError } from '../../../lib/runtime/bedrock/errors';
import type { FetchFunction, WorkerResponse } from '../../../lib/runtime/routing/fetch-function';
import { ModelRegistry } from '../../../lib/runtime/routing/registry';
import type { ModelRouteConfig } from '../../../lib/runtime/routing/registry-config';
import { Router } from '../../../lib/runtime/routing/router';

// CountTokens as the router answers it: vLLM's /tokenize on a prefill worker, or, for a route
// without prefill workers (a CS-3 taking whole prompts), a one-token completion on the decode endpoint.
const DECODE = 'https://cs3.example.com';
const PREFILL = 'http://127.0.0.1:1';
type Sent = { url: string; headers: Record<string, string>; body: Record<string, unknown> };

function endpoint(sent: Sent[], answer: { status?: number; json: unknown }): FetchFunction {
  return async (url, init): Promise<WorkerResponse> => {
    sent.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(Buffer.from(init.body as Uint8Array).toString('utf8')) });
    const status = answer.status ?? 200;
    return { status, ok: status < 300, json: async () => answer.json, body: null };
  };
}

function route(config: Partial<ModelRouteConfig>) {
  return new ModelRegistry({
    models: [
      {
        modelIds: ['m'],
        prefillUrls: [],
        prefillModel: 'llama-3.3-70b',
        decode: { url: DECODE, model: 'llama-3.3-70b', canIngestKv: false, apiKey: { envVar: 'CS3_KEY' } },
        contextWindow: 1000,
        maxOutputTokens: 100,
        ...config,
      },
    ],
  }).find('m')!;
}

const signal = () => new AbortController().signal;
const chat = { messages: [{ role: 'user' as const, content: 'How many tokens is this?' }] };

describe('CountTokens without prefill workers', () => {
  const router = (fetch: FetchFunction) => new Router({ fetch, resolveApiKey: () => 'cs3-key' });

  test('asks the decode endpoint for one token of the chat, with its key, and answers its usage.prompt_tokens', async () => {
    const sent: Sent[] = [];
    const count = await router(endpoint(sent, { json: { id: 'c', choices: [], usage: { prompt_tokens: 17, completion_tokens: 1, total_tokens: 18 } } })).countTokens(route({}), chat, signal());
    expect(count).toBe(17);
    expect(sent).toEqual([
      {
        url: `${DECODE}/v1/chat/completions`,
        headers: { 'content-type': 'application/json', authorization: 'Bearer cs3-key' },
        body: { model: 'llama-3.3-70b', ...chat, max_tokens: 1, stream: false },
      },
    ]);
  });

  test('counts a raw prompt (InvokeModel\'s native body) as a plain completion', async () => {
    const sent: Sent[] = [];
    await router(endpoint(sent, { json: { usage: { prompt_tokens: 5 } } })).countTokens(route({}), { prompt: 'Hello' }, signal());
    expect(sent[0].url).toBe(`${DECODE}/v1/completions`);
    expect(sent[0].body).toEqual({ model: 'llama-3.3-70b', prompt: 'Hello', max_tokens: 1, stream: false });
  });

  test('an answer without usage is a ServiceUnavailableException; a refused one a ValidationException', async () => {
    const missing = await router(endpoint([], { json: { choices: [] } })).countTokens(route({}), chat, signal()).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(BedrockError);
    expect((missing as BedrockError).message).toMatch(/answered without usage.prompt_tokens/);
    expect((missing as BedrockError).type.name).toBe('ServiceUnavailableException');
    const refused = await router(endpoint([], { status: 400, json: { error: { message: 'bad model', type: 'invalid', code: 400 } } }))
      .countTokens(route({}), chat, signal())
      .catch((e: unknown) => e);
    expect((refused as BedrockError).type.name).toBe('ValidationException');
  });
});

describe('CountTokens with prefill workers', () => {
  test('asks a prefill worker\'s /tokenize, without the decode key', async () => {
    const sent: Sent[] = [];
    const router = new Router({ fetch: endpoint(sent, { json: { count: 9, max_model_len: 1000, tokens: [] } }), resolveApiKey: () => 'cs3-key' });
    expect(await router.countTokens(route({ prefillUrls: [PREFILL], prefillModel: 'p' }), chat, signal())).toBe(9);
    expect(sent).toEqual([{ url: `${PREFILL}/tokenize`, headers: { 'content-type': 'application/json' }, body: { model: 'p', ...chat } }]);
  });
});
