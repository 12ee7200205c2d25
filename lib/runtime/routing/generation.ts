import type { ChatMessage, ExtraSampling, PrefixCacheHint, ToolChoice, ToolDefinition } from '../openai/worker-protocol';
import type { FetchFunction } from './fetch-function';
import type { Routing } from './routing';
import type { ModelRoute } from './registry';
import type { DecodeRouteConfig } from './registry-config';
import type { WorkerDirectory } from './worker-directory';

/**
 * The router's contract with the protocol layers in front of it: what a request asks for and
 * what comes back, in the router's own terms (independent of the Bedrock operation or any other
 * wire protocol). A conversation is in the worker protocol's chat shape (see worker-protocol.ts).
 */

/** How to sample the answer: what every protocol's request body says, each in its own field names. */
export interface SamplingParameters {
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stopSequences?: string[];
  /** Further sampling fields the workers take (`top_k`, ...), in their own names. */
  readonly extra?: ExtraSampling;
}

/**
 * Bedrock's latency tiers (`performanceConfig.latency`): `optimized` asks for the model's
 * optimized decode route (a CS-3) and falls back to `standard` where there is none or it cannot serve.
 */
export type LatencyTier = 'standard' | 'optimized';

/** What the client asked for. */
export interface GenerationInput extends SamplingParameters {
  readonly route: ModelRoute;
  /** A chat (Converse, chat completions) or a raw prompt (InvokeModel's native body); exactly one is set. */
  readonly prompt: PromptInput;
  /** The tier asked for. @default 'standard' */
  readonly latency?: LatencyTier;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** Filled in by the router with how it routed the request (for the request's log line). @default not recorded */
  readonly routing?: RoutingRecord;
}

/**
 * How the router routed a request, as far as it got: the workers it chose, whether the prompt was
 * prefilled remotely or on the decode worker (and why), and any KV hand-off it recovered from.
 */
export interface RoutingRecord {
  prefillWorker?: string;
  decodeWorker?: string;
  /**
   * `remote`: prefilled on a prefill worker, KV pulled by the decode worker; `local`: conditional
   * disaggregation sent it straight to the decode worker; `replay`: a decode endpoint that takes
   * whole prompts.
   */
  disaggregation?: 'remote' | 'local' | 'replay';
  /** The prompt tokens the router expected the decode worker to lack. */
  uncachedTokens?: number;
  /** The route's conditional-disaggregation threshold the decision compared them with. */
  threshold?: number;
  /** Why the decode worker could not pull the KV, when the prompt was replayed to it instead. */
  kvRecompute?: string;
}

/** A chat, with the tools the model may call, or a raw prompt. */
export type PromptInput = ChatPrompt | { readonly prompt: string };

export interface ChatPrompt {
  readonly messages: ChatMessage[];
  readonly tools?: ToolDefinition[];
  readonly tool_choice?: ToolChoice;
  /** Keep this prefix in the workers' prefix caches (a Bedrock cachePoint). */
  readonly prefix_cache_hint?: PrefixCacheHint;
}

export function isChat(prompt: PromptInput): prompt is ChatPrompt {
  return 'messages' in prompt;
}

/**
 * A piece of output and how many tokens it holds: answer text, reasoning text, or a piece of a
 * tool call (the first piece of each call carries its id and name, the rest argument text).
 * One delta per chunk the decode endpoint sent, unless the client fell behind (see DecodeStream).
 */
export type Delta = TextDelta | ReasoningDelta | ToolCallPiece;

export interface TextDelta {
  readonly kind: 'text';
  readonly text: string;
  readonly tokens: number;
}

export interface ReasoningDelta {
  readonly kind: 'reasoning';
  readonly text: string;
  readonly tokens: number;
}

export interface ToolCallPiece {
  readonly kind: 'toolCall';
  /** Which call of the answer (0-based, in the order the model made them). */
  readonly index: number;
  /** Set on the call's first piece. */
  readonly id?: string;
  /** Set on the call's first piece. */
  readonly name?: string;
  /** A piece of the arguments' JSON text. */
  readonly text: string;
  readonly tokens: number;
}

/** Bedrock's stop reasons the router can produce. */
export type StopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'malformed_tool_use'
  | 'model_context_window_exceeded';

/** A tool call of the finished answer; `input` is its arguments parsed, absent when they are not a JSON object. */
export interface CompletedToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
  readonly input?: Record<string, unknown>;
}

export interface GenerationEnd {
  readonly stopReason: StopReason;
  /** Prompt tokens, cached ones included. */
  readonly inputTokens: number;
  /** Of the prompt tokens, those the worker served from its prefix cache. */
  readonly cachedInputTokens: number;
  /** Of the prompt tokens, those written to the cache of a prefix the request asked to keep (a cachePoint), as the worker reported. */
  readonly cacheWriteInputTokens: number;
  readonly outputTokens: number;
  /** The tool calls the answer made, in order. */
  readonly toolCalls: readonly CompletedToolCall[];
  /** The tier that served the answer. */
  readonly latency: LatencyTier;
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
  /** The tier serving the answer. */
  readonly latency: LatencyTier;
  /**
   * Output in order, as the deltas waiting each time it is asked (one per chunk the decode endpoint
   * sent, so a client gets an event per chunk, while the asking happens once per network read);
   * returns how the answer ended. Iterate once.
   */
  readonly deltas: AsyncGenerator<readonly Delta[], GenerationEnd, undefined>;
  /** Ends the upstream calls and timers; safe to call at any point and more than once. */
  close(): Promise<void>;
}

export interface RouterOptions {
  /** The HTTP client for worker calls. @default nodeFetch (node:http with keep-alive) */
  readonly fetch?: FetchFunction;
  /** How long a failed prefill worker, or a failed optimized decode route, sits out. @default 5000 */
  readonly workerCoolDownMs?: number;
  /** Most prefill workers tried for one request. @default 3 */
  readonly maxAttempts?: number;
  /**
   * Where the worker pools take their workers from. @default a RegistryWorkerDirectory: the registry's
   * URLs, no load figures
   */
  readonly workers?: WorkerDirectory;
  /** Resolves a decode endpoint's API key (see DecodeRouteConfig.apiKey). @default environment variable lookup */
  readonly resolveApiKey?: (decode: DecodeRouteConfig) => string | undefined;
  /** How the router picks prefill and decode workers. @default Routing.PREFIX_AWARE */
  readonly routing?: Routing;
  /** Block names the router remembers per model, of which worker caches which prompt (see PrefixIndex). @default 262144 */
  readonly prefixIndexBlocks?: number;
  readonly now?: () => number;
}
