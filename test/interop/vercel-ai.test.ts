import { vercelAgentLoop, VercelCall, vercelGenerate, vercelWeatherTool } from './clients/vercel-ai';
import {
  ANSWER_WITH_TOOL_RESULT,
  EARLIER_TURNS,
  EXPECTED_TOOL_INPUT,
  PLAIN_PROMPT,
  REASONING_MODEL_ID,
  SYSTEM_PROMPT,
  TOOL_PROMPT,
  UNNAMED_TOOL_PROMPT,
} from './conversation';
import { useInteropMock } from './harness';

// Vercel's AI SDK (ai 6.0.326, @ai-sdk/amazon-bedrock 4.0.186) over HTTP/1.1: generateText and
// streamText, with the SDK running the tool in its own agent loop (`stopWhen`).

const mock = useInteropMock();
const run = (streamed: boolean, call: VercelCall) => vercelGenerate(mock.endpoint(), streamed, call);

describe.each([false, true])("Vercel's AI SDK, streamed: %s", (streamed) => {
  test('a plain prompt, no system prompt (the SDK sends `system: []`): text, stop, usage', async () => {
    const result = await run(streamed, { prompt: PLAIN_PROMPT });
    expect(result.text).toMatch(/\w+/);
    expect(result.finishReason).toBe('stop');
    expect(result.rawFinishReason).toBe('end_turn');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    // A stream streams: the text came in several deltas.
    if (streamed) expect(result.parts!.filter((type) => type === 'text-delta').length).toBeGreaterThan(1);
  });

  test('a system prompt reaches the model (it counts as input)', async () => {
    const without = await run(streamed, { prompt: PLAIN_PROMPT });
    const withSystem = await run(streamed, { system: SYSTEM_PROMPT, prompt: PLAIN_PROMPT });
    expect(withSystem.text).toMatch(/\w+/);
    expect(withSystem.usage.inputTokens).toBeGreaterThan(without.usage.inputTokens!);
  });

  test('multi-turn: the earlier turns are part of the prompt', async () => {
    const single = await run(streamed, { prompt: PLAIN_PROMPT });
    const multi = await run(streamed, {
      messages: [
        { role: 'user', content: EARLIER_TURNS.user },
        { role: 'assistant', content: EARLIER_TURNS.assistant },
        { role: 'user', content: PLAIN_PROMPT },
      ],
    });
    expect(multi.finishReason).toBe('stop');
    expect(multi.text).toMatch(/\w+/);
    expect(multi.usage.inputTokens).toBeGreaterThan(single.usage.inputTokens!);
  });

  test('a forced tool call (toolChoice tool) on a message that does not name the tool', async () => {
    const result = await run(streamed, { prompt: UNNAMED_TOOL_PROMPT, tools: { get_weather: vercelWeatherTool() }, toolChoice: { type: 'tool', toolName: 'get_weather' } });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls.map(({ toolName, input }) => ({ toolName, input }))).toEqual([{ toolName: 'get_weather', input: EXPECTED_TOOL_INPUT }]);
  });

  test('auto (what the SDK sends by default): a call when the message names the tool, text when it does not', async () => {
    const call = await run(streamed, { prompt: TOOL_PROMPT, tools: { get_weather: vercelWeatherTool() } });
    expect(call.finishReason).toBe('tool-calls');
    expect(call.toolCalls.map(({ toolName, input }) => ({ toolName, input }))).toEqual([{ toolName: 'get_weather', input: EXPECTED_TOOL_INPUT }]);
    const text = await run(streamed, { prompt: UNNAMED_TOOL_PROMPT, tools: { get_weather: vercelWeatherTool() } });
    expect(text.finishReason).toBe('stop');
    expect(text.toolCalls).toEqual([]);
  });

  test.each([
    ['auto', undefined],
    ['forced', { type: 'tool', toolName: 'get_weather' } as const],
  ])('an agent loop (%s): the SDK runs the tool, sends its result, and the model answers with text', async (_, toolChoice) => {
    const outcome = await vercelAgentLoop(mock.endpoint(), streamed, { toolChoice });
    expect(outcome.toolInputs).toEqual([EXPECTED_TOOL_INPUT]);
    expect(outcome.stepFinishReasons).toEqual(['tool-calls', 'stop']);
    // The SDK sends a tool's string result as it is.
    expect(outcome.text).toBe(ANSWER_WITH_TOOL_RESULT);
    expect(outcome.outputTokens).toBeGreaterThan(0);
  });

  test('a reasoning model: the reasoning text, then the answer', async () => {
    const result = await run(streamed, { model: REASONING_MODEL_ID, prompt: PLAIN_PROMPT });
    expect(result.reasoningText).toMatch(/\w+/);
    expect(result.text).toMatch(/\w+/);
    expect(result.finishReason).toBe('stop');
    if (streamed) expect(result.parts!.indexOf('reasoning-delta')).toBeLessThan(result.parts!.indexOf('text-delta'));
  });

  test('an agent loop on the reasoning model: it reasons, calls the tool, and answers with text', async () => {
    const outcome = await vercelAgentLoop(mock.endpoint(), streamed, { model: REASONING_MODEL_ID });
    expect(outcome).toMatchObject({ toolInputs: [EXPECTED_TOOL_INPUT], text: ANSWER_WITH_TOOL_RESULT, stopReason: 'stop', reasoning: expect.stringMatching(/\w+/) });
  });
});
