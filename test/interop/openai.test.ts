import { CompletionBody, openAiAgentLoop, openAiClient, openAiComplete, openAiToolCalls, OPENAI_TOOLS, userMessage } from './clients/openai';
import {
  ANSWER_WITH_TOOL_RESULT,
  EARLIER_TURNS,
  EXPECTED_TOOL_INPUT,
  MODEL_ID,
  PLAIN_PROMPT,
  REASONING_MODEL_ID,
  SYSTEM_PROMPT,
  TOOL_PROMPT,
  UNNAMED_TOOL_PROMPT,
} from './conversation';
import { useInteropMock } from './harness';

// The openai client (6.49.0) against the OpenAI-compatible path, over HTTP/1.1: create and the
// stream helper, and runTools(), the client's own agent loop, buffered and streamed.

const mock = useInteropMock();

/** One completion; a stream streams, so a streamed one came in several chunks. */
async function complete(streamed: boolean, body: CompletionBody) {
  const answer = await openAiComplete(mock.endpoint(), streamed, body);
  if (streamed) expect(answer.chunks).toBeGreaterThan(2);
  return answer;
}
const client = () => openAiClient(mock.endpoint());

describe.each([false, true])('the openai client, streamed: %s', (streamed) => {
  test('a plain prompt: text, stop, usage', async () => {
    const { completion } = await complete(streamed, { messages: userMessage(PLAIN_PROMPT) });
    expect(completion.choices[0].message.content).toMatch(/\w+/);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
  });

  test('a system message reaches the model (it counts as input), and none is fine', async () => {
    const without = await complete(streamed, { messages: userMessage(PLAIN_PROMPT) });
    const withSystem = await complete(streamed, { messages: [{ role: 'system', content: SYSTEM_PROMPT }, ...userMessage(PLAIN_PROMPT)] });
    expect(withSystem.completion.choices[0].message.content).toMatch(/\w+/);
    expect(withSystem.completion.usage!.prompt_tokens).toBeGreaterThan(without.completion.usage!.prompt_tokens);
  });

  test('multi-turn: the earlier turns are part of the prompt', async () => {
    const single = await complete(streamed, { messages: userMessage(PLAIN_PROMPT) });
    const multi = await complete(streamed, { messages: [...userMessage(EARLIER_TURNS.user), { role: 'assistant', content: EARLIER_TURNS.assistant }, ...userMessage(PLAIN_PROMPT)] });
    expect(multi.completion.choices[0].finish_reason).toBe('stop');
    expect(multi.completion.choices[0].message.content).toMatch(/\w+/);
    expect(multi.completion.usage!.prompt_tokens).toBeGreaterThan(single.completion.usage!.prompt_tokens);
  });

  test('a forced tool call (tool_choice by function name) on a message that does not name the tool', async () => {
    const { completion } = await complete(streamed, { messages: userMessage(UNNAMED_TOOL_PROMPT), tools: OPENAI_TOOLS, tool_choice: { type: 'function', function: { name: 'get_weather' } } });
    expect(openAiToolCalls(completion)).toEqual([{ name: 'get_weather', input: EXPECTED_TOOL_INPUT }]);
    // The gateway says tool_calls for every answer that is a call (vLLM and OpenAI's API say stop for a forced one).
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
  });

  test('auto: a call when the message names the tool, text when it does not', async () => {
    const call = await complete(streamed, { messages: userMessage(TOOL_PROMPT), tools: OPENAI_TOOLS, tool_choice: 'auto' });
    expect(call.completion.choices[0].finish_reason).toBe('tool_calls');
    expect(openAiToolCalls(call.completion)).toEqual([{ name: 'get_weather', input: EXPECTED_TOOL_INPUT }]);
    const text = await complete(streamed, { messages: userMessage(UNNAMED_TOOL_PROMPT), tools: OPENAI_TOOLS });
    expect(text.completion.choices[0].finish_reason).toBe('stop');
    expect(openAiToolCalls(text.completion)).toEqual([]);
  });

  test('an agent loop (runTools): the client runs the tool, sends its result, and the model answers with text', async () => {
    const outcome = await openAiAgentLoop(mock.endpoint(), streamed);
    expect(outcome.toolInputs).toEqual([EXPECTED_TOOL_INPUT]);
    expect(outcome.text).toBe(ANSWER_WITH_TOOL_RESULT);
    expect(outcome.roles).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    expect(outcome.stopReason).toBe('stop');
  });

  test('runTools on the reasoning model: the loop ends in text', async () => {
    // The client keeps an untyped streamed field as its last piece only, so the reasoning is read from single completions (below).
    const outcome = await openAiAgentLoop(mock.endpoint(), streamed, REASONING_MODEL_ID);
    expect(outcome).toMatchObject({ toolInputs: [EXPECTED_TOOL_INPUT], text: ANSWER_WITH_TOOL_RESULT, stopReason: 'stop' });
  });

  test("a reasoning model: its reasoning in vLLM's `reasoning` field, then the text", async () => {
    const { completion, reasoning } = await complete(streamed, { model: REASONING_MODEL_ID, messages: userMessage(PLAIN_PROMPT) });
    expect(reasoning).toMatch(/\w+/);
    expect(completion.choices[0].message.content).toMatch(/\w+/);
    expect(completion.choices[0].finish_reason).toBe('stop');
  });
});

test('the models list names the served models', async () => {
  const ids: string[] = [];
  for await (const model of client().models.list()) ids.push(model.id);
  expect(ids).toEqual(expect.arrayContaining([MODEL_ID, REASONING_MODEL_ID]));
  expect((await client().models.retrieve(MODEL_ID)).id).toBe(MODEL_ID);
});
