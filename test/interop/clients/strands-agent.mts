/**
 * Strands Agents TS (@strands-agents/sdk 1.16.0) against the mock, in a Node process of its own:
 * the package is ESM only, which the project's jest (CommonJS, ts-jest) cannot load (research notes,
 * /work/research/issue8-clients.md, section 1). Run as
 *
 *   node --import tsx test/interop/clients/strands-agent.mts <endpoint> [scenario ...]
 *
 * it runs the scenarios (all without names), each with the model streaming (ConverseStream, the
 * default) and not (`stream: false`, Converse), and prints one JSON line: mode -> scenario -> what
 * came back (or `{ error }`). `runStrandsAgent` (strands.ts) runs it.
 */
import { Agent, AgentResult, BedrockModel, Message, TextBlock, tool } from '@strands-agents/sdk';
import {
  EARLIER_TURNS,
  MODEL_ID,
  PLAIN_PROMPT,
  REASONING_MODEL_ID,
  recordingWeatherTool,
  SYSTEM_PROMPT,
  TOOL_PROMPT,
  UNNAMED_TOOL_PROMPT,
  WEATHER_TOOL,
} from '../conversation.js';
import type { StrandsModelCall, StrandsScenarios, StrandsTurn } from './strands.js';

const [endpoint, ...only] = process.argv.slice(2);
if (!endpoint) throw new Error('usage: strands-agent.mts <endpoint> [scenario ...]');

/** What BedrockModel needs to reach the mock: `clientConfig.endpoint` (it builds the AWS SDK client; HTTP/2). One attempt, so a failure shows. */
function model(stream: boolean, modelId = MODEL_ID): BedrockModel {
  return new BedrockModel({
    modelId,
    region: 'us-east-1',
    stream,
    clientConfig: { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 },
  });
}

function weatherTool(run: (input: { city: string }) => string) {
  return tool({ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, inputSchema: WEATHER_TOOL.inputSchema, callback: (input) => run(input as { city: string }) });
}

/** An agent's turn, through `agent.stream()`: the result, and the text and reasoning deltas that came on the way. */
async function run(agent: Agent, prompt: string): Promise<StrandsTurn> {
  const deltas = { text: 0, reasoning: 0 };
  const stream = agent.stream(prompt);
  let next = await stream.next();
  for (; !next.done; next = await stream.next()) {
    const event = next.value;
    if (event.type === 'modelStreamUpdateEvent' && event.event.type === 'modelContentBlockDeltaEvent') {
      if (event.event.delta.type === 'textDelta') deltas.text++;
      if (event.event.delta.type === 'reasoningContentDelta') deltas.reasoning++;
    }
  }
  return summary(next.value, deltas);
}

function summary(result: AgentResult, deltas: { text: number; reasoning: number }): StrandsTurn {
  const blocks = result.lastMessage.content;
  return {
    stopReason: result.stopReason,
    blockTypes: blocks.map((block) => block.type),
    text: blocks.map((block) => (block.type === 'textBlock' ? block.text : '')).join(''),
    reasoning: blocks.map((block) => (block.type === 'reasoningBlock' ? (block.text ?? '') : '')).join(''),
    usage: result.metrics?.accumulatedUsage,
    contextSize: result.metrics?.latestContextSize,
    deltas,
  };
}

const agent = (stream: boolean, options: { modelId?: string; systemPrompt?: string; tools?: ReturnType<typeof weatherTool>[] } = {}) =>
  new Agent({ model: model(stream, options.modelId), printer: false, retryStrategy: null, systemPrompt: options.systemPrompt, tools: options.tools });

/** One model call with a tool choice: the Agent never forces a tool, its model does (`toolChoice`). */
async function modelCall(stream: boolean, prompt: string, toolChoice: { tool: { name: string } } | { auto: Record<string, never> }): Promise<StrandsModelCall> {
  const messages = [new Message({ role: 'user', content: [new TextBlock(prompt)] })];
  const generator = model(stream).streamAggregated(messages, { toolSpecs: [WEATHER_TOOL], toolChoice });
  let next = await generator.next();
  while (!next.done) next = await generator.next();
  const { message, stopReason } = next.value;
  return { stopReason, toolUses: message.content.flatMap((block) => (block.type === 'toolUseBlock' ? [{ name: block.name, input: block.input }] : [])) };
}

/** The Agent's loop: it runs the tool the model asks for and sends the result back, until the model answers. */
async function agentLoop(stream: boolean, modelId: string) {
  const weather = recordingWeatherTool();
  const loop = agent(stream, { modelId, systemPrompt: SYSTEM_PROMPT, tools: [weatherTool(weather.run)] });
  const result = await run(loop, TOOL_PROMPT);
  return { ...result, toolInputs: weather.inputs, messages: loop.messages.map((message) => `${message.role}:${message.content.map((block) => block.type).join(',')}`) };
}

const scenarios: { [K in keyof StrandsScenarios]: (stream: boolean) => Promise<StrandsScenarios[K]> } = {
  plain: (stream) => run(agent(stream), PLAIN_PROMPT),
  system: (stream) => run(agent(stream, { systemPrompt: SYSTEM_PROMPT }), PLAIN_PROMPT),
  // The agent keeps the conversation: its second turn carries the first.
  multiTurn: async (stream) => {
    const conversation = agent(stream);
    await conversation.invoke(EARLIER_TURNS.user);
    return { ...(await run(conversation, PLAIN_PROMPT)), roles: conversation.messages.map((message) => message.role) };
  },
  forcedToolCall: (stream) => modelCall(stream, UNNAMED_TOOL_PROMPT, { tool: { name: WEATHER_TOOL.name } }),
  autoToolCall: (stream) => modelCall(stream, TOOL_PROMPT, { auto: {} }),
  // An agent with the tool, asked something that does not name it: it answers without running it.
  noToolNamed: async (stream) => {
    const weather = recordingWeatherTool();
    return { ...(await run(agent(stream, { tools: [weatherTool(weather.run)] }), UNNAMED_TOOL_PROMPT)), toolInputs: weather.inputs };
  },
  agentLoop: (stream) => agentLoop(stream, MODEL_ID),
  reasoning: (stream) => run(agent(stream, { modelId: REASONING_MODEL_ID }), PLAIN_PROMPT),
  reasoningAgentLoop: (stream) => agentLoop(stream, REASONING_MODEL_ID),
};

async function main(): Promise<void> {
  const results: Record<string, Record<string, unknown>> = {};
  for (const [mode, stream] of [['buffered', false], ['streamed', true]] as const) {
    results[mode] = {};
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (only.length > 0 && !only.includes(name)) continue;
      try {
        results[mode][name] = await scenario(stream);
      } catch (error) {
        results[mode][name] = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      }
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
