import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { generateText, jsonSchema, ModelMessage, stepCountIs, streamText, tool, ToolChoice, ToolSet } from 'ai';
import { AgentLoopOutcome, MODEL_ID, recordingWeatherTool, SYSTEM_PROMPT, TOOL_PROMPT, WEATHER_TOOL } from '../conversation';

/** Vercel's AI SDK (ai 6.0.326, @ai-sdk/amazon-bedrock 4.0.186): generateText or streamText, the SDK running tools in its own loop (`stopWhen`). */

export interface VercelCall {
  readonly model?: string;
  readonly system?: string;
  readonly prompt?: string;
  readonly messages?: ModelMessage[];
  readonly tools?: ToolSet;
  readonly toolChoice?: ToolChoice<ToolSet>;
  /** Steps the SDK's loop may take. @default 1 */
  readonly maxSteps?: number;
}

/** What a caller reads from either function: the last step's text and finish, the tool calls of every step, usage, reasoning; for a stream its part types. */
export async function vercelGenerate(endpoint: string, streamed: boolean, call: VercelCall) {
  // What the provider needs to reach the mock: baseURL. It signs with SigV4 (aws4fetch); any credentials do.
  const bedrock = createAmazonBedrock({ baseURL: endpoint, region: 'us-east-1', accessKeyId: 'local', secretAccessKey: 'local' });
  const { model, maxSteps, ...rest } = call;
  const options = {
    ...rest,
    model: bedrock(model ?? MODEL_ID),
    maxRetries: 0,
    stopWhen: stepCountIs(maxSteps ?? 1),
    // A forced tool choice would hold for every step, and the SDK refuses a step without the call:
    // agents relax it (prepareStep) once the tool has run, as the SDK's docs show.
    prepareStep: ({ stepNumber }: { stepNumber: number }) => (stepNumber > 0 ? { toolChoice: 'auto' as const } : undefined),
  } as Parameters<typeof generateText>[0];
  if (!streamed) {
    const { text, finishReason, rawFinishReason, usage, reasoningText, steps } = await generateText(options);
    return { text, finishReason, rawFinishReason, usage, reasoningText, steps, toolCalls: steps.flatMap((step) => step.toolCalls), parts: undefined };
  }
  const result = streamText({ ...options, onError: () => undefined } as Parameters<typeof streamText>[0]);
  const parts: string[] = [];
  for await (const part of result.fullStream) {
    if (part.type === 'error') throw part.error;
    parts.push(part.type);
  }
  const steps = await result.steps;
  return {
    text: await result.text,
    finishReason: await result.finishReason,
    rawFinishReason: await result.rawFinishReason,
    usage: await result.usage,
    reasoningText: await result.reasoningText,
    steps,
    toolCalls: steps.flatMap((step) => step.toolCalls),
    parts,
  };
}

const inputSchema = jsonSchema<{ city: string }>(WEATHER_TOOL.inputSchema);
/** The tool, for the SDK to run (with `execute`) or only to offer. */
export const vercelWeatherTool = (execute?: (input: { city: string }) => Promise<string>) =>
  execute ? tool({ description: WEATHER_TOOL.description, inputSchema, execute }) : tool({ description: WEATHER_TOOL.description, inputSchema });

/** The SDK's own agent loop: the model asks for the tool, the SDK runs it and sends the result, the model answers. */
export async function vercelAgentLoop(
  endpoint: string,
  streamed: boolean,
  options: { readonly toolChoice?: ToolChoice<ToolSet>; readonly model?: string } = {},
): Promise<AgentLoopOutcome & { readonly stepFinishReasons: string[]; readonly outputTokens?: number }> {
  const weather = recordingWeatherTool();
  const result = await vercelGenerate(endpoint, streamed, {
    ...options,
    system: SYSTEM_PROMPT,
    prompt: TOOL_PROMPT,
    tools: { get_weather: vercelWeatherTool(async (input) => weather.run(input)) },
    maxSteps: 3,
  });
  return {
    toolInputs: weather.inputs,
    text: result.text,
    stopReason: result.finishReason,
    reasoning: result.reasoningText,
    stepFinishReasons: result.steps.map((step) => step.finishReason),
    outputTokens: result.usage.outputTokens,
  };
}
