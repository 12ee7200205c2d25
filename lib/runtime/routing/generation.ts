import type { ChatMessage } from '../openai/worker-protocol';
import type { FetchFunction } from './fetch-function';
import type { ModelRoute } from './registry';

/**
 * The router's contract with the protocol layers in front of it: what a request asks for and
 * what comes back, in the router's own terms (independent of the Bedrock operation or any other
 * wire protocol).
 */

/** How to sample the answer: what every protocol's request body says, each in its own field names. */
export interface SamplingParameters {
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stopSequences?: string[];
}

/** What the client asked for. */
export interface GenerationInput extends SamplingParameters {
  readonly route: ModelRoute;
  /** A chat (Converse) or a raw prompt (InvokeModel's native body); exactly one is set. */
  readonly prompt: PromptInput;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

export type PromptInput = { readonly messages: ChatMessage[] } | { readonly prompt: string };

export function isChat(prompt: PromptInput): prompt is { messages: ChatMessage[] } {
  return 'messages' in prompt;
}

/** Output text and how many tokens it holds (tokens that arrived together travel as one delta). */
export interface Delta {
  readonly text: string;
  readonly tokens: number;
}

/** Bedrock's stop reasons the router can produce. */
export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'model_context_window_exceeded';

export interface GenerationEnd {
  readonly stopReason: StopReason;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Stage times of one request, in milliseconds since the epoch or as durations; filled in as it runs. */
export interface GenerationTimings {
  prefillMs?: number;
  kvHandoffMs?: number;
  firstTokenAt?: number;
  lastTokenAt?: number;
}

/**
 * A generation that has produced its first output (or finished): errors before this point
 * were thrown by `generate`, errors after it come out of `deltas` as BedrockErrors.
 */
export interface Generation {
  readonly timings: GenerationTimings;
  /** The prompt's token count when the prefill stage reported it (not in prompt replay). */
  readonly promptTokens?: number;
  /** Output in order; returns how the answer ended. Iterate once. */
  readonly deltas: AsyncGenerator<Delta, GenerationEnd, undefined>;
  /** Ends the upstream calls and timers; safe to call at any point and more than once. */
  close(): Promise<void>;
}

export interface RouterOptions {
  /** The HTTP client for worker calls. @default nodeFetch (node:http with keep-alive) */
  readonly fetch?: FetchFunction;
  /** How long a failed prefill worker sits out. @default 5000 */
  readonly workerCoolDownMs?: number;
  /** Most prefill workers tried for one request. @default 3 */
  readonly maxAttempts?: number;
  /** Resolves a decode endpoint's API key (see DecodeRouteConfig.apiKey). @default environment variable lookup */
  readonly resolveApiKey?: (route: ModelRoute) => string | undefined;
  readonly now?: () => number;
}
