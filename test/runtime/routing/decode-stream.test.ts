import type { Delta } from '../../../lib/runtime/routing/generation';
import { Router } from '../../../lib/runtime/routing/router';
import { chunk, DECODE, event, finish, input, registryOf, run, type Sent, token, workers } from './stub-workers';

// The decode stream as the router hands it out: one delta per chunk, merged only while the client
// is held up; tool calls, reasoning and cached prompt tokens read from the worker protocol.

const toolPiece = (piece: Record<string, unknown>) => chunk({ tool_calls: [{ index: 0, ...piece }] });

const words = (from: number, count: number) => Array.from({ length: count }, (_, i) => token(` w${from + i}`)).join('');

test('a burst of more chunks than a client socket takes as events: 128 deltas, the rest joined to the last', async () => {
  const { deltas, end } = await run(new Router({ fetch: workers({ reads: [words(0, 200) + finish('stop')] }, []) }));
  expect(deltas).toHaveLength(128);
  expect(deltas.slice(0, 127).every((d, i) => d.text === ` w${i}` && d.tokens === 1)).toBe(true);
  expect(deltas[127]).toEqual({ kind: 'text', text: Array.from({ length: 73 }, (_, i) => ` w${127 + i}`).join(''), tokens: 73 });
  expect(end.outputTokens).toBe(200);
});

test('while the client is held up, what arrives waits (on the socket); the read that takes it gives 128 deltas, the rest joined', async () => {
  const reads = [token('first'), words(0, 100), words(100, 100), finish('stop')];
  const generation = await new Router({ fetch: workers({ reads, readGapMs: 15 }, []) }).generate(input());
  expect((await generation.deltas.next()).value).toEqual([{ kind: 'text', text: 'first', tokens: 1 }]);
  // The client stops taking deltas (its socket is full) while the rest of the stream arrives.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const waiting = (await generation.deltas.next()).value as readonly Delta[];
  expect(waiting).toHaveLength(128);
  expect(waiting[127].tokens).toBe(73);
  expect(waiting.map((d) => d.text).join('')).toBe(Array.from({ length: 200 }, (_, i) => ` w${i}`).join(''));
  expect((await generation.deltas.next()).done).toBe(true);
});

test('a client that keeps up gets one delta per chunk, chunks that arrive apart and together alike', async () => {
  const reads = [token('one'), token(' two'), token(' three'), finish('stop')];
  const { deltas } = await run(new Router({ fetch: workers({ reads, readGapMs: 5 }, []) }));
  expect(deltas.map((d) => d.text)).toEqual(['one', ' two', ' three']);
});

test('a tool call comes out in pieces (the first with id and name), and ends with tool_use even when the worker says stop', async () => {
  const reads = [
    toolPiece({ id: 'chatcmpl-tool-abc', type: 'function', function: { name: 'get_weather', arguments: '' } }),
    toolPiece({ function: { arguments: '{"city": ' } }) + toolPiece({ function: { arguments: '"Paris"}' } }),
    // vLLM ends a forced (named or required) call with `stop`.
    finish('stop'),
  ];
  const { deltas, end } = await run(new Router({ fetch: workers({ reads }, []) }));
  expect(deltas).toEqual([
    { kind: 'toolCall', index: 0, id: 'chatcmpl-tool-abc', name: 'get_weather', text: '', tokens: 1 },
    { kind: 'toolCall', index: 0, text: '{"city": ', tokens: 1 },
    { kind: 'toolCall', index: 0, text: '"Paris"}', tokens: 1 },
  ]);
  expect(end.stopReason).toBe('tool_use');
  expect(end.toolCalls).toEqual([{ id: 'chatcmpl-tool-abc', name: 'get_weather', arguments: '{"city": "Paris"}', input: { city: 'Paris' } }]);
});

test('tool JSON the model got wrong ends in malformed_tool_use, with the arguments as the model wrote them and no input', async () => {
  const reads = [toolPiece({ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Par' } }), finish('tool_calls')];
  const { end } = await run(new Router({ fetch: workers({ reads }, []) }));
  expect(end.stopReason).toBe('malformed_tool_use');
  expect(end.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city": "Par' }]);
});

test('a call id Bedrock would refuse (or none) is replaced once, the same in the stream and at the end', async () => {
  const reads = [toolPiece({ id: 'call:with spaces', type: 'function', function: { name: 'f', arguments: '{}' } }), finish('tool_calls')];
  const { deltas, end } = await run(new Router({ fetch: workers({ reads }, []) }));
  const id = (deltas[0] as { id: string }).id;
  expect(id).toMatch(/^tooluse_[0-9a-f]{24}$/);
  expect(end.toolCalls[0].id).toBe(id);
  expect(end.toolCalls[0].input).toEqual({});
});

test("reasoning is read from vLLM's `reasoning` field and from the older `reasoning_content`", async () => {
  const reads = [chunk({ reasoning: 'Think' }) + chunk({ reasoning_content: ' more' }) + token('Answer'), finish('stop')];
  const { deltas } = await run(new Router({ fetch: workers({ reads }, []) }));
  expect(deltas).toEqual([
    { kind: 'reasoning', text: 'Think', tokens: 1 },
    { kind: 'reasoning', text: ' more', tokens: 1 },
    { kind: 'text', text: 'Answer', tokens: 1 },
  ]);
});

test("cached prompt tokens come from the worker's usage.prompt_tokens_details.cached_tokens: the one that computed the prompt", async () => {
  const usage = event({ id: 'c', choices: [], usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21, prompt_tokens_details: { cached_tokens: 16 } } });
  // The decode endpoint computed the prompt itself (prompt replay): its count is the cache's.
  const replayed = input(100, { route: registryOf({ decode: { url: DECODE, model: 'd', canIngestKv: false } }).find('m')! });
  const { end } = await run(new Router({ fetch: workers({ reads: [token('a') + finish('stop') + usage] }, []) }), replayed);
  expect(end).toMatchObject({ inputTokens: 20, cachedInputTokens: 16, outputTokens: 1 });
  // With the KV pulled, the prefill worker computed it: a vLLM KV consumer counts the pulled tokens as cached too
  // (the scheduler's num_cached_tokens takes the external ones), so only the prefill answer says what its cache served.
  const pulled = await run(new Router({ fetch: workers({ prefillCachedTokens: 8, reads: [token('a') + finish('stop') + usage] }, []) }));
  expect(pulled.end).toMatchObject({ inputTokens: 20, cachedInputTokens: 8, outputTokens: 1 });
});

test('tools, the tool choice and extra sampling fields go to both stages, inside the prompt both compute', async () => {
  const sent: Sent = [];
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' } } }];
  await run(
    new Router({ fetch: workers({}, sent) }),
    input(100, { prompt: { messages: [{ role: 'user', content: 'hi' }], tools, tool_choice: 'required' }, extra: { top_k: 40 } }),
  );
  for (const call of sent) expect(call.body).toMatchObject({ tools, tool_choice: 'required', top_k: 40 });
});
