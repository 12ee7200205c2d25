import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsBase, ChatCompletionFunctionTool, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { AgentLoopOutcome, MODEL_ID, recordingWeatherTool, SYSTEM_PROMPT, TOOL_PROMPT, WEATHER_TOOL } from '../conversation';

/** The openai client (6.49.0) on the OpenAI-compatible path: create, the stream helper, and runTools(), its own agent loop. */

export const openAiClient = (endpoint: string) => new OpenAI({ baseURL: `${endpoint}/openai/v1`, apiKey: 'local', maxRetries: 0 });

const weatherFunction = { name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.inputSchema };
export const OPENAI_TOOLS: ChatCompletionFunctionTool[] = [{ type: 'function', function: weatherFunction }];

export type CompletionBody = Omit<ChatCompletionCreateParamsBase, 'model' | 'stream'> & { model?: string };
/** vLLM's field for a reasoning model's reasoning, which the client passes on untyped. */
type WithReasoning<T> = T & { reasoning?: string };

/**
 * One completion: `create`, or the stream helper (which checks each chunk's shape, as the raw
 * iterator does not) put together with `finalChatCompletion()`; with the reasoning and, streamed, the number of chunks.
 */
export async function openAiComplete(endpoint: string, streamed: boolean, body: CompletionBody): Promise<{ completion: ChatCompletion; reasoning?: string; chunks?: number }> {
  const params = { model: MODEL_ID, ...body };
  if (!streamed) {
    const completion = await openAiClient(endpoint).chat.completions.create({ ...params, stream: false });
    return { completion, reasoning: (completion.choices[0].message as WithReasoning<ChatCompletion.Choice['message']>).reasoning };
  }
  const stream = openAiClient(endpoint).chat.completions.stream({ ...params, stream: true, stream_options: { include_usage: true } });
  let chunks = 0;
  let reasoning: string | undefined;
  for await (const chunk of stream) {
    chunks++;
    // The helper's final message keeps only the last piece of an untyped field: the pieces are read here.
    const delta = chunk.choices[0]?.delta as WithReasoning<NonNullable<(typeof chunk.choices)[0]>['delta']> | undefined;
    if (delta?.reasoning !== undefined) reasoning = (reasoning ?? '') + delta.reasoning;
  }
  return { completion: await stream.finalChatCompletion(), reasoning, chunks };
}

export const userMessage = (content: string): ChatCompletionMessageParam[] => [{ role: 'user', content }];
export const openAiToolCalls = (completion: ChatCompletion) =>
  (completion.choices[0].message.tool_calls ?? []).map((call) => (call.type === 'function' ? { name: call.function.name, input: JSON.parse(call.function.arguments) } : call));

/** runTools(): the client calls the model, runs the functions it asks for, sends their results, until the model answers. */
export async function openAiAgentLoop(endpoint: string, streamed: boolean, modelId = MODEL_ID): Promise<AgentLoopOutcome & { readonly roles: string[] }> {
  const weather = recordingWeatherTool();
  const runnable = {
    type: 'function' as const,
    function: { ...weatherFunction, parse: (args: string) => JSON.parse(args) as { city: string }, function: weather.run },
  };
  const body = { model: modelId, messages: [{ role: 'system' as const, content: SYSTEM_PROMPT }, ...userMessage(TOOL_PROMPT)], tools: [runnable] };
  const client = openAiClient(endpoint);
  const runner = streamed ? client.chat.completions.runTools({ ...body, stream: true }) : client.chat.completions.runTools(body);
  const text = (await runner.finalContent()) ?? '';
  const final = await runner.finalChatCompletion();
  return { toolInputs: weather.inputs, text, stopReason: final.choices[0].finish_reason, roles: runner.messages.map((message) => message.role) };
}
