/**
 * The slice of the OpenAI-compatible HTTP API (as vLLM serves it) that the router and the
 * workers exchange, with vLLM's disaggregated-serving extension `kv_transfer_params`.
 * The router writes these shapes; the mock workers read them: one definition serves both.
 */

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
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

/** Fields common to `/v1/chat/completions` (with `messages`) and `/v1/completions` (with `prompt`). */
export interface CompletionRequest {
  readonly model: string;
  readonly messages?: ChatMessage[];
  readonly prompt?: string;
  readonly max_tokens: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop?: string[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly kv_transfer_params?: KvTransferParams;
}

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** vLLM's finish reasons: `stop` covers end of sequence and stop strings; `length` is max_tokens. */
export type FinishReason = 'stop' | 'length';

/** A non-streamed answer (the prefill stage's); `text` for completions, `message` for chat. */
export interface CompletionResponse {
  readonly id: string;
  readonly choices: Array<{
    readonly index: number;
    readonly text?: string;
    readonly message?: { readonly role: string; readonly content: string };
    readonly finish_reason: FinishReason | null;
  }>;
  readonly usage: Usage;
  readonly kv_transfer_params?: KvTransferParams;
}

/** One server-sent event of a streamed answer; the last carries `usage` and no choices. */
export interface CompletionChunk {
  readonly id: string;
  readonly choices: Array<{
    readonly index: number;
    readonly text?: string;
    readonly delta?: { readonly role?: string; readonly content?: string };
    readonly finish_reason: FinishReason | null;
    /** vLLM: the stop string that ended the answer, when one did. */
    readonly stop_reason?: string | number | null;
  }>;
  readonly usage?: Usage | null;
}

/** vLLM's `/tokenize`: a chat (`messages`) or a raw `prompt`. */
export interface TokenizeRequest {
  readonly model: string;
  readonly messages?: ChatMessage[];
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
} as const;
