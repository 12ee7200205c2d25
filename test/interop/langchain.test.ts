import { AIMessage, BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { langchainAgentLoop, langchainChatModel, langchainReasoning, langchainRespond, langchainText, langchainWeatherTool } from './clients/langchain';
import {
  ANSWER_WITH_TOOL_RESULT,
  EARLIER_TURNS,
  EXPECTED_TOOL_INPUT,
  PLAIN_PROMPT,
  REASONING_MODEL_ID,
  SYSTEM_PROMPT,
  TOOL_PROMPT,
  UNNAMED_TOOL_PROMPT,
  weatherReport,
} from './conversation';
import { useInteropMock } from './harness';

// LangChain's ChatBedrockConverse (@langchain/aws 1.4.5, @langchain/core 1.4.0) over the AWS SDK's
// HTTP/2: invoke and stream, bindTools, and an agent loop in which LangChain's tool runs the call.

const mock = useInteropMock();

const chatModel = (model?: string) => langchainChatModel(mock.endpoint(), model);
/** Offered, not run, in the single-turn tests. */
const weather = langchainWeatherTool(weatherReport);

/** The answer; a stream streams, so a streamed one came in several chunks. */
async function respond(model: Parameters<typeof langchainRespond>[0], messages: BaseMessage[], streamed: boolean) {
  const answer = await langchainRespond(model, messages, streamed);
  if (streamed) expect(answer.chunks).toBeGreaterThan(2);
  return answer;
}

describe.each([false, true])("LangChain's ChatBedrockConverse, streamed: %s", (streamed) => {
  test('a plain prompt: text, end_turn, usage', async () => {
    const { message, stopReason } = await respond(chatModel(), [new HumanMessage(PLAIN_PROMPT)], streamed);
    expect(langchainText(message)).toMatch(/\w+/);
    expect(stopReason).toBe('end_turn');
    expect(message.usage_metadata).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(message.usage_metadata!.output_tokens).toBeGreaterThan(0);
  });

  test('a system message reaches the model (it counts as input), and none is fine', async () => {
    const without = await respond(chatModel(), [new HumanMessage(PLAIN_PROMPT)], streamed);
    const withSystem = await respond(chatModel(), [new SystemMessage(SYSTEM_PROMPT), new HumanMessage(PLAIN_PROMPT)], streamed);
    expect(langchainText(withSystem.message)).toMatch(/\w+/);
    expect(withSystem.message.usage_metadata!.input_tokens).toBeGreaterThan(without.message.usage_metadata!.input_tokens);
  });

  test('multi-turn: the earlier turns are part of the prompt', async () => {
    const single = await respond(chatModel(), [new HumanMessage(PLAIN_PROMPT)], streamed);
    const multi = await respond(chatModel(), [new HumanMessage(EARLIER_TURNS.user), new AIMessage(EARLIER_TURNS.assistant), new HumanMessage(PLAIN_PROMPT)], streamed);
    expect(multi.stopReason).toBe('end_turn');
    expect(langchainText(multi.message)).toMatch(/\w+/);
    expect(multi.message.usage_metadata!.input_tokens).toBeGreaterThan(single.message.usage_metadata!.input_tokens);
  });

  test('a forced tool call (tool_choice by name) on a message that does not name the tool', async () => {
    const { message, stopReason } = await respond(chatModel().bindTools([weather], { tool_choice: 'get_weather' }), [new HumanMessage(UNNAMED_TOOL_PROMPT)], streamed);
    expect(stopReason).toBe('tool_use');
    expect(message.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: EXPECTED_TOOL_INPUT, id: expect.any(String) })]);
  });

  test('auto (bindTools sends no toolChoice): a call when the message names the tool, text when it does not', async () => {
    const call = await respond(chatModel().bindTools([weather]), [new HumanMessage(TOOL_PROMPT)], streamed);
    expect(call.stopReason).toBe('tool_use');
    expect(call.message.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: EXPECTED_TOOL_INPUT })]);
    const text = await respond(chatModel().bindTools([weather], { tool_choice: 'auto' }), [new HumanMessage(UNNAMED_TOOL_PROMPT)], streamed);
    expect(text.stopReason).toBe('end_turn');
    expect(text.message.tool_calls).toEqual([]);
  });

  test('an agent loop: the model asks for the tool, the LangChain tool runs it, the model answers with text', async () => {
    const outcome = await langchainAgentLoop(mock.endpoint(), streamed);
    expect(outcome.toolInputs).toEqual([EXPECTED_TOOL_INPUT]);
    expect(outcome.stopReason).toBe('end_turn');
    expect(outcome.text).toBe(ANSWER_WITH_TOOL_RESULT);
  });

  test('a reasoning model: a reasoning content block before the text', async () => {
    const { message, stopReason } = await respond(chatModel(REASONING_MODEL_ID), [new HumanMessage(PLAIN_PROMPT)], streamed);
    expect(stopReason).toBe('end_turn');
    // Reasoning first, then text (concatenated chunks keep streamed text as one block per chunk).
    const types = message.contentBlocks.map((block) => block.type);
    expect(types.filter((type, i) => type !== types[i - 1])).toEqual(['reasoning', 'text']);
    expect(langchainReasoning(message)).toMatch(/\w+/);
    expect(langchainText(message)).toMatch(/\w+/);
  });

  test('an agent loop on the reasoning model: it reasons, calls the tool, and answers with text', async () => {
    const outcome = await langchainAgentLoop(mock.endpoint(), streamed, REASONING_MODEL_ID);
    expect(outcome).toMatchObject({ toolInputs: [EXPECTED_TOOL_INPUT], text: ANSWER_WITH_TOOL_RESULT, stopReason: 'end_turn', reasoning: expect.stringMatching(/\w+/) });
  });
});
