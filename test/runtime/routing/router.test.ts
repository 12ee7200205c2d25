import { BedrockError } from '../../../lib/runtime/bedrock/errors';
import type { FetchFunction, WorkerResponse } from '../../../lib/runtime/routing/fetch-function';
import type { Delta, GenerationInput } from '../../../lib/runtime/routing/generation';
import { ModelRegistry } from '../../../lib/runtime/routing/registry';
import { Router } from '../../../lib/runtime/routing/router';

// The router with its workers answered from memory: what it sends each stage, and what it makes of the answers.
const PREFILL = ['http://127.0.0.1:1', 'http://127.0.0.1:2'];
const DECODE = 'http://127.0.0.1:9';
const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const token = (content: string) => event({ id: 'c', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const finish = (reason: string) => event({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: reason, stop_reason: null }] });

interface Workers {
  /** The prompt tokens the prefill workers report. */
  promptTokens?: number;
  /** Prefill workers that answer 503. */
  failing?: string[];
  /** The decode stream, one string per network read. */
  reads?: string[];
}

function workers(options: Workers, sent: Array<{ url: string; body: Record<string, unknown> }>): FetchFunction {
  return async (url, init): Promise<WorkerResponse> => {
    const body = JSON.parse(Buffer.from(init.body as Uint8Array).toString('utf8')) as Record<string, unknown>;
    sent.push({ url, body });
    const worker = PREFILL.find((prefill) => url.startsWith(prefill));
    if (worker && options.failing?.includes(worker)) return { status: 503, ok: false, json: async () => ({}), body: null };
    if (worker) {
      const promptTokens = options.promptTokens ?? 20;
      const answer = {
        id: 'cmpl-1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'A' }, finish_reason: 'length' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: 1, total_tokens: promptTokens + 1 },
        kv_transfer_params: { do_remote_prefill: true, do_remote_decode: false, remote_engine_id: 'e', remote_request_id: 'r' },
      };
      return { status: 200, ok: true, json: async () => answer, body: null };
    }
    const reads = [...(options.reads ?? [token('one') + token(' two') + finish('stop')]), 'data: [DONE]\n\n'];
    const stream = Object.assign((async function* () { for (const read of reads) yield Buffer.from(read); })(), { cancel: async () => undefined });
    return { status: 200, ok: true, json: async () => ({}), body: stream };
  };
}

const registry = new ModelRegistry({
  models: [{ modelIds: ['m'], prefillUrls: PREFILL, prefillModel: 'p', decode: { url: DECODE, model: 'd', canIngestKv: true }, contextWindow: 1000, maxOutputTokens: 100 }],
});
const input = (maxTokens = 100): GenerationInput => ({
  route: registry.find('m')!,
  prompt: { messages: [{ role: 'user', content: 'hi' }] },
  maxTokens,
  signal: new AbortController().signal,
});

async function run(router: Router, generationInput = input()) {
  const generation = await router.generate(generationInput);
  const deltas: Delta[] = [];
  let next = await generation.deltas.next();
  while (!next.done) {
    deltas.push(next.value);
    next = await generation.deltas.next();
  }
  return { generation, deltas, end: next.value };
}

test('prefill asks for one token with do_remote_decode; decode pulls the KV the prefill answer named', async () => {
  const sent: Array<{ url: string; body: Record<string, unknown> }> = [];
  const { end } = await run(new Router({ fetch: workers({}, sent) }));
  expect(sent.map((call) => call.url.replace(/:\d+/, ''))).toEqual(['http://127.0.0.1/v1/chat/completions', 'http://127.0.0.1/v1/chat/completions']);
  expect(sent[0].body).toMatchObject({ model: 'p', max_tokens: 1, stream: false, kv_transfer_params: { do_remote_decode: true } });
  expect(sent[1].body).toMatchObject({
    model: 'd',
    max_tokens: 100,
    stream: true,
    kv_transfer_params: { remote_engine_id: 'e', remote_request_id: 'r', do_remote_prefill: true, do_remote_decode: false },
  });
  expect(end).toEqual({ stopReason: 'end_turn', inputTokens: 20, outputTokens: 2 });
});

test('tokens that arrive in one read leave as one delta; later reads as their own', async () => {
  const reads = [token('one') + token(' two'), token(' three'), finish('stop')];
  const { deltas, generation } = await run(new Router({ fetch: workers({ reads }, []) }));
  expect(deltas).toEqual([{ text: 'one two', tokens: 2 }, { text: ' three', tokens: 1 }]);
  expect(generation.promptTokens).toBe(20);
  expect(generation.timings.prefillMs).toBeGreaterThanOrEqual(0);
  expect(generation.timings.firstTokenAt).toBeLessThanOrEqual(generation.timings.lastTokenAt!);
});

test('an answer that would overflow the context window is capped, and ends with model_context_window_exceeded', async () => {
  const sent: Array<{ url: string; body: Record<string, unknown> }> = [];
  const { end } = await run(new Router({ fetch: workers({ promptTokens: 990, reads: [token('a') + finish('length')] }, sent) }));
  expect(sent[1].body.max_tokens).toBe(10);
  expect(end.stopReason).toBe('model_context_window_exceeded');
});

test('the request limit, not the window, ending the answer is max_tokens', async () => {
  const { end } = await run(new Router({ fetch: workers({ reads: [token('a') + finish('length')] }, []) }), input(5));
  expect(end.stopReason).toBe('max_tokens');
});

test('a prompt that fills the context window is a ValidationException naming both sizes, not retried', async () => {
  const sent: Array<{ url: string; body: Record<string, unknown> }> = [];
  const failure = await new Router({ fetch: workers({ promptTokens: 1000 }, sent) }).generate(input()).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(BedrockError);
  expect((failure as BedrockError).type.name).toBe('ValidationException');
  expect((failure as BedrockError).message).toMatch(/1000 tokens; the model's context window is 1000/);
  expect(sent).toHaveLength(1);
});

test('a prefill worker that fails is left for another, and sits out the next request', async () => {
  // Ties between idle workers go to the first one, so the failing worker is tried first.
  const random = jest.spyOn(Math, 'random').mockReturnValue(0.99);
  try {
    const sent: Array<{ url: string; body: Record<string, unknown> }> = [];
    const router = new Router({ fetch: workers({ failing: [PREFILL[0]] }, sent) });
    await run(router);
    await run(router);
    const prefillCalls = sent.filter((call) => call.body.max_tokens === 1).map((call) => call.url.slice(0, PREFILL[0].length));
    expect(prefillCalls).toEqual([PREFILL[0], PREFILL[1], PREFILL[1]]);
  } finally {
    random.mockRestore();
  }
});

test('a decode stream that ends without a finish reason fails as ServiceUnavailableException, after its output', async () => {
  const generation = await new Router({ fetch: workers({ reads: [token('one')] }, []) }).generate(input());
  expect(await generation.deltas.next()).toEqual({ done: false, value: { text: 'one', tokens: 1 } });
  const failure = await generation.deltas.next().catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(BedrockError);
  expect((failure as BedrockError).type.name).toBe('ServiceUnavailableException');
  expect((failure as BedrockError).message).toMatch(/ended without a finish reason/);
});
