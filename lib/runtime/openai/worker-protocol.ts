/**
 * The slice of the OpenAI-compatible HTTP API (as vLLM serves it) that the router and the
 * workers exchange, with vLLM's disaggregated-serving extension `kv_transfer_params`.
 * The router writes these shapes; the mock workers read them: one definition serves both.
 * It is also the router's own representation of a conversation (roles system, user, assistant
 * and tool; tool calls; tools as function JSON schemas), so the Bedrock Converse adapter maps to
 * it and the OpenAI-compatible path passes it through, validated.
 */

/** A call the model made to one of the request's tools; `arguments` is the JSON text it produced. */
export interface ToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string | null; readonly tool_calls?: ToolCall[] }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

/** A tool the model may call: a function with a JSON schema for its arguments. */
export interface ToolDefinition {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description?: string; readonly parameters: Record<string, unknown> };
}

/** `auto` (the model decides), `required` (some tool), `none`, or one named function. */
export type ToolChoice = 'auto' | 'required' | 'none' | { readonly type: 'function'; readonly function: { readonly name: string } };

/**
 * Sampling fields beyond temperature, top_p and stop that vLLM's OpenAI-compatible server takes
 * in a chat or completion request (vLLM `SamplingParams`; `reasoning_effort` for gpt-oss).
 */
export interface ExtraSampling {
  readonly top_k?: number;
  readonly min_p?: number;
  readonly seed?: number;
  readonly presence_penalty?: number;
  readonly frequency_penalty?: number;
  readonly repetition_penalty?: number;
  readonly reasoning_effort?: 'low' | 'medium' | 'high';
}

/**
 * Where the prefill worker left the KV blocks of a prompt (vLLM NixlConnector's fields).
 * Opaque to the router: it passes the prefill answer's object on to the decode endpoint.
 */
export interface KvTransferParams {
  readonly do_remote_decode?: boolean;
  readonly do_remote_prefill?: boolean;
  readonly remote_engine_id?: string;
  readonly remote_request_id?: string;
  readonly remote_block_ids?: number[];
  readonly remote_host?: string;
  readonly remote_port?: number;
  readonly [extra: string]: unknown;
}

/**
 * The router's hint to keep a chat's prefix in the workers' prefix cache, from a Bedrock cachePoint:
 * the prefix through the first `messages` chat messages (with the tools the chat template renders
 * ahead of them), for `ttl_seconds`. An extension field: vLLM's request models take unknown fields
 * and ignore them (`extra="allow"` on OpenAIBaseModel, vllm/entrypoints/openai/engine/protocol.py,
 * which logs "The following fields were present in the request but ignored"); the mock workers keep
 * those blocks ahead of others.
 */
export interface PrefixCacheHint {
  readonly messages: number;
  readonly ttl_seconds: number;
}

/** Fields common to `/v1/chat/completions` (with `messages`) and `/v1/completions` (with `prompt`). */
export interface CompletionRequest extends ExtraSampling {
  readonly model: string;
  readonly messages?: ChatMessage[];
  readonly prompt?: string;
  readonly tools?: ToolDefinition[];
  readonly tool_choice?: ToolChoice;
  readonly max_tokens: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop?: string[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly kv_transfer_params?: KvTransferParams;
  readonly prefix_cache_hint?: PrefixCacheHint;
}

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  /**
   * The prompt tokens served from the engine's prefix cache (vLLM with `--enable-prompt-tokens-details`,
   * which leaves it out when 0; Cerebras), and, from the mock workers only, the tokens the request
   * wrote to the cache of the prefix a `prefix_cache_hint` asked to keep.
   */
  readonly prompt_tokens_details?: { readonly cached_tokens?: number | null; readonly cache_write_tokens?: number | null } | null;
}

/**
 * vLLM's finish reasons: `stop` covers end of sequence and stop strings; `length` is max_tokens;
 * `tool_calls` ends an answer that called tools (with `tool_choice: auto`; a forced call ends in `stop`).
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** A non-streamed answer (the prefill stage's); `text` for completions, `message` for chat. */
export interface CompletionResponse {
  readonly id: string;
  readonly choices: Array<{
    readonly index: number;
    readonly text?: string;
    readonly message?: { readonly role: string; readonly content: string | null };
    readonly finish_reason: FinishReason | null;
  }>;
  readonly usage: Usage;
  readonly kv_transfer_params?: KvTransferParams;
}

/** One piece of a streamed tool call: the first names it (`id`, `function.name`), the rest carry argument text. */
export interface ToolCallDelta {
  readonly index: number;
  readonly id?: string;
  readonly type?: 'function';
  readonly function?: { readonly name?: string; readonly arguments?: string };
}

/** What one streamed chunk adds to the answer. */
export interface CompletionDelta {
  readonly role?: string;
  readonly content?: string | null;
  /** The model's reasoning: vLLM's field since 0.11 (PR 27752), the only one from about 0.16 on. */
  readonly reasoning?: string | null;
  /** The older name of `reasoning`, still sent by earlier vLLM releases. */
  readonly reasoning_content?: string | null;
  readonly tool_calls?: ToolCallDelta[];
}

/** One server-sent event of a streamed answer; the last carries `usage` and no choices. */
export interface CompletionChunk {
  readonly id: string;
  readonly choices: Array<{
    readonly index: number;
    readonly text?: string;
    readonly delta?: CompletionDelta;
    readonly finish_reason: FinishReason | null;
    /** vLLM: the stop string that ended the answer, when one did. */
    readonly stop_reason?: string | number | null;
  }>;
  readonly usage?: Usage | null;
}

/** vLLM's `/tokenize`: a chat (`messages`, with the `tools` its template renders) or a raw `prompt`. */
export interface TokenizeRequest {
  readonly model: string;
  readonly messages?: ChatMessage[];
  readonly tools?: ToolDefinition[];
  readonly prompt?: string;
}

export interface TokenizeResponse {
  readonly count: number;
  readonly max_model_len: number;
  readonly tokens: number[];
}

/** OpenAI-style error body: `{ error: { message, type, code } }`. */
export interface WorkerErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly code: number };
}

export const PATHS = {
  chatCompletions: '/v1/chat/completions',
  completions: '/v1/completions',
  tokenize: '/tokenize',
  health: '/health',
  /** vLLM's Prometheus metrics (the load gauges in vllm-metrics.ts). */
  metrics: '/metrics',
} as const;
