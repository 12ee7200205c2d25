import { Message } from '@aws-sdk/client-bedrock-runtime';
import { bedrockClient, TRANSPORTS, userSays } from '../e2e/helpers';
import { awsSdkAgentLoop, converseTurn, SDK_TOOLS, textOf, toolUses } from './clients/aws-sdk';
import {
  ANSWER_WITH_TOOL_RESULT,
  EARLIER_TURNS,
  EXPECTED_TOOL_INPUT,
  PLAIN_PROMPT,
  promptTokens,
  REASONING_MODEL_ID,
  SYSTEM_PROMPT,
  TOOL_PROMPT,
  UNNAMED_TOOL_PROMPT,
} from './conversation';
import { useInteropMock } from './harness';

// The official AWS SDK (@aws-sdk/client-bedrock-runtime 3.1164.0) over both of its transports,
// Converse and ConverseStream, and an agent loop written by hand as its users write one.

const mock = useInteropMock();

describe.each(TRANSPORTS)('AWS SDK over %s', (transport) => {
  describe.each([false, true])('streamed: %s', (streamed) => {
    const client = () => bedrockClient(mock.endpoint(), transport);

    test('a plain prompt: text, end_turn, usage', async () => {
      const { message, stopReason, usage, deltas } = await converseTurn(client(), { messages: userSays(PLAIN_PROMPT) }, streamed);
      expect(textOf(message)).toMatch(/\w+/);
      // A stream streams: the text came in several deltas.
      if (streamed) expect(deltas).toBeGreaterThan(1);
      expect(stopReason).toBe('end_turn');
      expect(usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number), totalTokens: expect.any(Number) });
      expect(usage!.outputTokens).toBeGreaterThan(0);
    });

    test('a system prompt reaches the model (it counts as input), and no system prompt is fine', async () => {
      const without = await converseTurn(client(), { messages: userSays(PLAIN_PROMPT) }, streamed);
      const withSystem = await converseTurn(client(), { messages: userSays(PLAIN_PROMPT), system: [{ text: SYSTEM_PROMPT }] }, streamed);
      expect(textOf(withSystem.message)).toMatch(/\w+/);
      expect(promptTokens(withSystem.usage)).toBeGreaterThan(promptTokens(without.usage));
    });

    test('a prompt sent again is read from the prefix cache, and the client reads the cache fields', async () => {
      const messages = userSays(`${transport} ${streamed} ${PLAIN_PROMPT.repeat(20)}`);
      const first = await converseTurn(client(), { messages }, streamed);
      const again = await converseTurn(client(), { messages }, streamed);
      expect(again.usage!.cacheReadInputTokens).toBeGreaterThan(0);
      expect(again.usage!.inputTokens).toBeLessThan(first.usage!.inputTokens!);
      expect(promptTokens(again.usage)).toBe(promptTokens(first.usage));
    });

    test('multi-turn: the earlier turns are part of the prompt', async () => {
      const single = await converseTurn(client(), { messages: userSays(PLAIN_PROMPT) }, streamed);
      const messages: Message[] = [...userSays(EARLIER_TURNS.user), { role: 'assistant', content: [{ text: EARLIER_TURNS.assistant }] }, ...userSays(PLAIN_PROMPT)];
      const multi = await converseTurn(client(), { messages }, streamed);
      expect(multi.stopReason).toBe('end_turn');
      expect(textOf(multi.message)).toMatch(/\w+/);
      expect(promptTokens(multi.usage)).toBeGreaterThan(promptTokens(single.usage));
    });

    test('a forced tool call (toolChoice tool) on a message that does not name the tool', async () => {
      const { message, stopReason } = await converseTurn(client(), { messages: userSays(UNNAMED_TOOL_PROMPT), toolConfig: { tools: SDK_TOOLS, toolChoice: { tool: { name: 'get_weather' } } } }, streamed);
      expect(stopReason).toBe('tool_use');
      expect(toolUses(message)).toEqual([{ toolUseId: expect.any(String), name: 'get_weather', input: EXPECTED_TOOL_INPUT }]);
    });

    test('auto: a call when the message names the tool, text when it does not', async () => {
      const call = await converseTurn(client(), { messages: userSays(TOOL_PROMPT), toolConfig: { tools: SDK_TOOLS, toolChoice: { auto: {} } } }, streamed);
      expect(call.stopReason).toBe('tool_use');
      expect(toolUses(call.message)).toEqual([{ toolUseId: expect.any(String), name: 'get_weather', input: EXPECTED_TOOL_INPUT }]);
      const text = await converseTurn(client(), { messages: userSays(UNNAMED_TOOL_PROMPT), toolConfig: { tools: SDK_TOOLS } }, streamed);
      expect(text.stopReason).toBe('end_turn');
      expect(toolUses(text.message)).toEqual([]);
    });

    test('an agent loop: the model asks for the tool, the loop runs it and sends the result, the model answers with text', async () => {
      const outcome = await awsSdkAgentLoop(mock.endpoint(), transport, streamed);
      expect(outcome.toolInputs).toEqual([EXPECTED_TOOL_INPUT]);
      expect(outcome.stopReason).toBe('end_turn');
      expect(outcome.text).toBe(ANSWER_WITH_TOOL_RESULT);
      expect(outcome.usage!.inputTokens).toBeGreaterThan(0);
    });

    test('a reasoning model: a reasoningContent block before the text', async () => {
      const { message, stopReason } = await converseTurn(client(), { modelId: REASONING_MODEL_ID, messages: userSays(PLAIN_PROMPT) }, streamed);
      expect(stopReason).toBe('end_turn');
      const [reasoning, text] = message.content!;
      expect(reasoning.reasoningContent?.reasoningText?.text).toMatch(/\w+/);
      expect(text.text).toMatch(/\w+/);
    });

    test('an agent loop on the reasoning model: it reasons, calls the tool, and answers with text', async () => {
      const outcome = await awsSdkAgentLoop(mock.endpoint(), transport, streamed, REASONING_MODEL_ID);
      expect(outcome).toMatchObject({ toolInputs: [EXPECTED_TOOL_INPUT], text: ANSWER_WITH_TOOL_RESULT, stopReason: 'end_turn', reasoning: expect.stringMatching(/\w+/) });
    });
  });
});
