import { BedrockError } from '../../../lib/runtime/bedrock/errors';
import { Router } from '../../../lib/runtime/routing/router';
import { Routing } from '../../../lib/runtime/routing/routing';

import { finish, input, PREFILL, run, type Sent, token, workers } from './stub-workers';

// The router with its workers answered from memory: what it sends each stage, and what it makes of the answers.

test('prefill asks for one token with do_remote_decode; decode pulls the KV the prefill answer named', async () => {
  const sent: Sent = [];
  const { end } = await run(new Router({ fetch: workers({}, sent) }));
  expect(sent.map((call) => call.url.replace(/:\d+/, ''))).toEqual(['http://127.0.0.1/v1/chat/completions', 'http://127.0.0.1/v1/chat/completions']);
  expect(sent[0].body).toMatchObject({ model: 'p', max_tokens: 1, stream: false, kv_transfer_params: { do_remote_decode: true } });
  expect(sent[1].body).toMatchObject({
    model: 'd',
    max_tokens: 100,
    stream: true,
    kv_transfer_params: { remote_engine_id: 'e', remote_request_id: 'r', do_remote_prefill: true, do_remote_decode: false },
  });
  expect(end).toEqual({ stopReason: 'end_turn', inputTokens: 20, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 2, toolCalls: [], latency: 'standard' });
});

test('every chunk the decode endpoint sent is its own delta, also chunks that arrive in one read', async () => {
  const reads = [token('one') + token(' two'), token(' three'), finish('stop')];
  const { deltas, generation } = await run(new Router({ fetch: workers({ reads }, []) }));
  expect(deltas).toEqual([
    { kind: 'text', text: 'one', tokens: 1 },
    { kind: 'text', text: ' two', tokens: 1 },
    { kind: 'text', text: ' three', tokens: 1 },
  ]);
  expect(generation.promptTokens).toBe(20);
  expect(generation.timings.prefillMs).toBeGreaterThanOrEqual(0);
  expect(generation.timings.firstTokenAt).toBeLessThanOrEqual(generation.timings.lastTokenAt!);
});

test('an answer that would overflow the context window is capped, and ends with model_context_window_exceeded', async () => {
  const sent: Sent = [];
  const { end } = await run(new Router({ fetch: workers({ promptTokens: 990, reads: [token('a') + finish('length')] }, sent) }));
  expect(sent[1].body.max_tokens).toBe(10);
  expect(end.stopReason).toBe('model_context_window_exceeded');
});

test('the request limit, not the window, ending the answer is max_tokens', async () => {
  const { end } = await run(new Router({ fetch: workers({ reads: [token('a') + finish('length')] }, []) }), input(5));
  expect(end.stopReason).toBe('max_tokens');
});

test('a prompt that fills the context window is a ValidationException naming both sizes, not retried', async () => {
  const sent: Sent = [];
  const failure = await new Router({ fetch: workers({ promptTokens: 1000 }, sent) }).generate(input()).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(BedrockError);
  expect((failure as BedrockError).type.name).toBe('ValidationException');
  expect((failure as BedrockError).message).toMatch(/1000 tokens; the model's context window is 1000/);
  expect(sent).toHaveLength(1);
});

test('a prefill worker that fails is left for another, and sits out the next request', async () => {
  // Least-loaded ties between idle workers go to the first one, so the failing worker is tried first.
  const random = jest.spyOn(Math, 'random').mockReturnValue(0.99);
  try {
    const sent: Sent = [];
    const router = new Router({ fetch: workers({ failing: [PREFILL[0]] }, sent), routing: Routing.LEAST_LOADED });
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
  expect(await generation.deltas.next()).toEqual({ done: false, value: [{ kind: 'text', text: 'one', tokens: 1 }] });
  const failure = await generation.deltas.next().catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(BedrockError);
  expect((failure as BedrockError).type.name).toBe('ServiceUnavailableException');
  expect((failure as BedrockError).message).toMatch(/ended without a finish reason/);
});
