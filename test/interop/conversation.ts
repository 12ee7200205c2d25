/**
 * The conversation every interop test holds, and what the mock's documented rules (README, "The
 * mock model: tool calls and reasoning") make of it. No imports: the Strands script, which runs in
 * its own Node process, uses it too.
 */

/** A chat model and its Bedrock inference-profile id. */
export const MODEL_ID = 'us.meta.llama3-3-70b-instruct-v1:0';
/** A reasoning model (gpt-oss-120b as Bedrock lists it): its reasoning comes back before the answer. */
export const REASONING_MODEL_ID = 'openai.gpt-oss-120b-1:0';

export const SYSTEM_PROMPT = 'You are a terse assistant.';
export const PLAIN_PROMPT = 'Explain disaggregated inference.';
/** Names the tool, so `auto` calls it; the last word, Paris, is the string argument. */
export const TOOL_PROMPT = 'Use get_weather for Paris';
/** Does not name the tool: `auto` answers with text, a forced choice still calls it (with Paris). */
export const UNNAMED_TOOL_PROMPT = 'What is the weather in Paris?';
/** A turn that came before the last one, for multi-turn conversations. */
export const EARLIER_TURNS = { user: 'Hi, I have a question about serving.', assistant: 'Hello! Ask away.' } as const;

export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the weather for a city',
  inputSchema: {
    type: 'object' as const,
    properties: { city: { type: 'string' as const, description: 'City name' } },
    required: ['city'],
  },
};
/** The mock fills a required string with the last word of the message. */
export const EXPECTED_TOOL_INPUT = { city: 'Paris' };

/** What the tool the clients run returns, so its result can be found in the model's last answer. */
export function weatherReport(input: { city: string }): string {
  return `21C and sunny in ${input.city}`;
}
/** The mock's answer to a tool result quotes it. */
export const ANSWER_WITH_TOOL_RESULT = `The get_weather tool returned ${weatherReport(EXPECTED_TOOL_INPUT)}.`;

/** The tool as the clients run it: it answers with the weather report and records what it was called with. */
export function recordingWeatherTool(): { readonly inputs: unknown[]; run(input: { city: string }): string } {
  const inputs: unknown[] = [];
  return {
    inputs,
    run: (input) => {
      inputs.push(input);
      return weatherReport(input);
    },
  };
}

/** Bedrock's usage counts of a prompt: the uncached tokens, and those read from or written to the prefix cache. */
export interface PromptUsage {
  readonly inputTokens?: number;
  readonly cacheReadInputTokens?: number;
  readonly cacheWriteInputTokens?: number;
}

/**
 * The whole prompt's tokens. Bedrock's `inputTokens` counts only what no cache held, so two prompts
 * of which the longer repeats what an earlier test sent compare by this sum, not by `inputTokens`.
 */
export function promptTokens(usage: PromptUsage | undefined): number {
  return (usage?.inputTokens ?? 0) + (usage?.cacheReadInputTokens ?? 0) + (usage?.cacheWriteInputTokens ?? 0);
}

/** How an agent loop ended, whichever client ran it. */
export interface AgentLoopOutcome {
  /** The inputs the client ran the tool with, in order. */
  readonly toolInputs: unknown[];
  /** The model's last answer. */
  readonly text: string;
  /** Its stop reason, in the client's own words. */
  readonly stopReason: string;
  /** The reasoning it came with (a reasoning model's), as the client surfaces it. */
  readonly reasoning?: string;
}
