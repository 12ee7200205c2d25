import { ChatBedrockConverse } from '@langchain/aws';
import { AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { bedrockClient } from '../../e2e/helpers';
import { AgentLoopOutcome, MODEL_ID, recordingWeatherTool, SYSTEM_PROMPT, TOOL_PROMPT, WEATHER_TOOL } from '../conversation';

/** LangChain's ChatBedrockConverse (@langchain/aws 1.4.5, @langchain/core 1.4.0): invoke or stream, bindTools, LangChain tools. */

/**
 * LangChain is handed a ready client: its own options cannot reach a plain-HTTP endpoint (an
 * `endpointHost` becomes https://, `clientOptions.endpoint` is overwritten: /work/research/issue8-clients.md,
 * section 2). It refuses `tool_choice` for model ids it does not know to support it unless told which values work.
 */
export function langchainChatModel(endpoint: string, model = MODEL_ID): ChatBedrockConverse {
  return new ChatBedrockConverse({ model, region: 'us-east-1', client: bedrockClient(endpoint), maxRetries: 0, supportsToolChoiceValues: ['auto', 'any', 'tool'] });
}

type Runnable = Pick<ChatBedrockConverse, 'invoke' | 'stream'>;

/** The model's answer, whole (`invoke`) or put together from its chunks (`stream`); its stop reason; how many chunks came. */
export async function langchainRespond(model: Runnable, messages: BaseMessage[], streamed: boolean): Promise<{ message: AIMessage; stopReason: string; chunks?: number }> {
  if (!streamed) {
    const message = await model.invoke(messages);
    return { message, stopReason: (message.response_metadata as { stopReason: string }).stopReason };
  }
  let whole: AIMessageChunk | undefined;
  let chunks = 0;
  for await (const chunk of await model.stream(messages)) {
    whole = whole ? whole.concat(chunk) : chunk;
    chunks++;
  }
  // The stream's messageStop event is kept as it came.
  return { message: whole!, stopReason: (whole!.response_metadata as { messageStop: { stopReason: string } }).messageStop.stopReason, chunks };
}

/** The weather tool as a LangChain tool (a zod schema, which LangChain sends with `$schema` and `additionalProperties: false`). */
export function langchainWeatherTool(run: (input: { city: string }) => string) {
  return tool(async (input: { city: string }) => run(input), {
    name: WEATHER_TOOL.name,
    description: WEATHER_TOOL.description,
    schema: z.object({ city: z.string().describe('City name') }),
  });
}

/** The text of the message's text blocks (LangChain's standard content blocks). */
export const langchainText = (message: AIMessage) => message.contentBlocks.map((block) => (block.type === 'text' ? block.text : '')).join('');

/** The text of the message's reasoning blocks (`{ type: 'reasoning', reasoning }`), if it has any. */
export const langchainReasoning = (message: AIMessage) =>
  message.contentBlocks.map((block) => (block.type === 'reasoning' ? block.reasoning : '')).join('') || undefined;

/** The loop of a LangChain agent: bindTools, invoke, run each tool call with the tool (which answers with its ToolMessage), until the model answers. */
export async function langchainAgentLoop(endpoint: string, streamed: boolean, modelId = MODEL_ID): Promise<AgentLoopOutcome> {
  const weather = recordingWeatherTool();
  const weatherTool = langchainWeatherTool(weather.run);
  const model = langchainChatModel(endpoint, modelId).bindTools([weatherTool]);
  const messages: BaseMessage[] = [new SystemMessage(SYSTEM_PROMPT), new HumanMessage(TOOL_PROMPT)];
  for (let step = 0; step < 3; step++) {
    const { message, stopReason } = await langchainRespond(model, messages, streamed);
    messages.push(message);
    if (!message.tool_calls?.length) return { toolInputs: weather.inputs, text: langchainText(message), stopReason, reasoning: langchainReasoning(message) };
    for (const call of message.tool_calls) messages.push((await weatherTool.invoke({ ...call, type: 'tool_call' })) as ToolMessage);
  }
  throw new Error('the model still asked for tools after 3 turns');
}
