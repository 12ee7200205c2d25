import {
  BedrockRuntimeClient,
  ContentBlock,
  ConverseCommand,
  ConverseCommandInput,
  ConverseStreamCommand,
  Message,
  TokenUsage,
  Tool,
} from '@aws-sdk/client-bedrock-runtime';
import { bedrockClient, Transport, userSays } from '../../e2e/helpers';
import { AgentLoopOutcome, MODEL_ID, recordingWeatherTool, SYSTEM_PROMPT, TOOL_PROMPT, WEATHER_TOOL } from '../conversation';

/** The official AWS SDK (@aws-sdk/client-bedrock-runtime 3.1164.0) as its users drive it: one turn at a time, their own agent loop. */

export const SDK_TOOLS: Tool[] = [{ toolSpec: { name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, inputSchema: { json: WEATHER_TOOL.inputSchema } } }];

export interface Turn {
  readonly message: Message;
  readonly stopReason?: string;
  readonly usage?: TokenUsage;
  /** For a stream, how many contentBlockDelta events it brought. */
  readonly deltas?: number;
}

export type TurnInput = Omit<ConverseCommandInput, 'modelId'> & { readonly modelId?: string };

/** One model turn, from Converse, or put together from a ConverseStream's events as a streaming client does. */
export async function converseTurn(client: BedrockRuntimeClient, input: TurnInput, streamed: boolean): Promise<Turn> {
  const command = { modelId: MODEL_ID, ...input };
  if (!streamed) {
    const answer = await client.send(new ConverseCommand(command));
    return { message: answer.output!.message!, stopReason: answer.stopReason, usage: answer.usage };
  }
  const { stream } = await client.send(new ConverseStreamCommand(command));
  const blocks: Array<{ text?: string; reasoning?: string; tool?: { toolUseId: string; name: string; input: string } }> = [];
  const content: ContentBlock[] = [];
  let stopReason: string | undefined;
  let usage: TokenUsage | undefined;
  let deltas = 0;
  for await (const event of stream!) {
    if (event.contentBlockStart?.start?.toolUse) {
      const { toolUseId, name } = event.contentBlockStart.start.toolUse;
      blocks[event.contentBlockStart.contentBlockIndex!] = { tool: { toolUseId: toolUseId!, name: name!, input: '' } };
    } else if (event.contentBlockDelta) {
      deltas++;
      const block = (blocks[event.contentBlockDelta.contentBlockIndex!] ??= {});
      const delta = event.contentBlockDelta.delta!;
      if (delta.text !== undefined) block.text = (block.text ?? '') + delta.text;
      if (delta.reasoningContent?.text !== undefined) block.reasoning = (block.reasoning ?? '') + delta.reasoningContent.text;
      if (delta.toolUse?.input !== undefined) block.tool!.input += delta.toolUse.input;
    } else if (event.contentBlockStop) {
      const block = blocks[event.contentBlockStop.contentBlockIndex!];
      if (block.tool) content.push({ toolUse: { toolUseId: block.tool.toolUseId, name: block.tool.name, input: JSON.parse(block.tool.input) } });
      else if (block.reasoning !== undefined) content.push({ reasoningContent: { reasoningText: { text: block.reasoning } } });
      else content.push({ text: block.text ?? '' });
    } else if (event.messageStop) {
      stopReason = event.messageStop.stopReason;
    } else if (event.metadata) {
      usage = event.metadata.usage;
    }
  }
  return { message: { role: 'assistant', content }, stopReason, usage, deltas };
}

export const textOf = (message: Message) => message.content!.filter((block) => block.text !== undefined).map((block) => block.text).join('');
export const reasoningOf = (message: Message) =>
  message.content!.filter((block) => block.reasoningContent).map((block) => block.reasoningContent!.reasoningText?.text ?? '').join('') || undefined;
export const toolUses = (message: Message) => message.content!.filter((block) => block.toolUse).map((block) => block.toolUse!);

/** The loop an SDK user writes: send the conversation, run the tools the model asks for, send their results, until it answers. */
export async function awsSdkAgentLoop(endpoint: string, transport: Transport, streamed: boolean, modelId = MODEL_ID): Promise<AgentLoopOutcome & { readonly usage?: TokenUsage }> {
  const client = bedrockClient(endpoint, transport);
  const weather = recordingWeatherTool();
  const messages: Message[] = userSays(TOOL_PROMPT);
  for (let step = 0; step < 3; step++) {
    // The answer goes back as it came, reasoning included.
    const turn = await converseTurn(client, { modelId, messages, system: [{ text: SYSTEM_PROMPT }], toolConfig: { tools: SDK_TOOLS } }, streamed);
    messages.push(turn.message);
    if (turn.stopReason !== 'tool_use') {
      return { toolInputs: weather.inputs, text: textOf(turn.message), stopReason: turn.stopReason!, reasoning: reasoningOf(turn.message), usage: turn.usage };
    }
    const results: ContentBlock[] = toolUses(turn.message).map((use) => ({
      toolResult: { toolUseId: use.toolUseId!, content: [{ text: weather.run(use.input as { city: string }) }], status: 'success' },
    }));
    messages.push({ role: 'user', content: results });
  }
  throw new Error('the model still asked for tools after 3 turns');
}
