import { ModelRoute } from './registry';
import { BedrockError, BedrockErrorType, validationError } from '../bedrock/errors';
import { ChatMessage, CompletionChunk, CompletionRequest, CompletionResponse, PATHS, TokenizeResponse } from '../openai/worker-protocol';
import { FetchFunction, postJson, postStream, UpstreamFailure, upstreamFailure } from './upstream';
import { WorkerPool } from './worker-pool';
import { Deadline } from './deadline';
import { nodeFetch } from './node-fetch';

/** What the client asked for, in the router's own terms (independent of the Bedrock operation). */
export interface GenerationInput {
  readonly route: ModelRoute;
  /** A chat (Converse) or a raw prompt (InvokeModel's native body); exactly one is set. */
  readonly prompt: PromptInput;
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stopSequences?: string[];
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

export type PromptInput = { readonly messages: ChatMessage[] } | { readonly prompt: string };

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

function isChat(prompt: PromptInput): prompt is { messages: ChatMessage[] } {
  return 'messages' in prompt;
}

function failureToBedrock(failure: UpstreamFailure): BedrockError {
  switch (failure.kind) {
    case 'rejected':
      return validationError(failure.message);
    case 'timeout':
      return new BedrockError(BedrockErrorType.MODEL_TIMEOUT, `The model did not answer in time (${failure.message}).`);
    default:
      return new BedrockError(BedrockErrorType.SERVICE_UNAVAILABLE, `The model is unavailable (${failure.message}).`);
  }
}

/**
 * Runs a request through the disaggregated pipeline: prefill on the least-loaded healthy
 * Trainium worker (`max_tokens: 1`, `do_remote_decode`), then a streamed decode that pulls
 * the KV blocks named by the prefill answer, or gets the whole prompt when the decode
 * endpoint cannot ingest KV. Failures before the first output token retry on another
 * prefill worker; every stage has a time limit; the client going away aborts every upstream call.
 */
export class Router {
  private readonly fetch: FetchFunction;
  private readonly pools = new Map<ModelRoute, WorkerPool>();
  private readonly coolDownMs: number;
  private readonly maxAttempts: number;
  private readonly resolveApiKey: (route: ModelRoute) => string | undefined;
  private readonly now: () => number;

  constructor(options: RouterOptions = {}) {
    this.fetch = options.fetch ?? nodeFetch;
    this.coolDownMs = options.workerCoolDownMs ?? 5000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.now = options.now ?? Date.now;
    this.resolveApiKey =
      options.resolveApiKey ??
      ((route) => {
        const envVar = route.config.decode.apiKey?.envVar;
        return envVar ? process.env[envVar] : undefined;
      });
  }

  private pool(route: ModelRoute): WorkerPool {
    let pool = this.pools.get(route);
    if (!pool) {
      pool = new WorkerPool(route.config.prefillUrls, this.coolDownMs, this.now);
      this.pools.set(route, pool);
    }
    return pool;
  }

  public async generate(input: GenerationInput): Promise<Generation> {
    const total = new Deadline('the whole request', input.route.timeouts.totalMs, [input.signal]);
    const tried = new Set<string>();
    const pool = this.pool(input.route);
    const attempts = input.route.config.decode.canIngestKv ? Math.max(1, Math.min(pool.size, this.maxAttempts)) : 1;
    let last: UpstreamFailure | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await this.attempt(input, pool, tried, total);
      } catch (error) {
        if (!(error instanceof BedrockError || error instanceof UpstreamFailure)) {
          total.clear();
          throw error; // a bug, not an upstream failure: let the gateway report it as internal
        }
        const failure = error instanceof BedrockError ? error : upstreamFailure(error, total.signal, '', 'request');
        if (failure instanceof BedrockError || failure.kind === 'rejected' || failure.kind === 'aborted' || total.signal.aborted) {
          total.clear();
          throw failure instanceof BedrockError ? failure : failureToBedrock(failure);
        }
        last = failure;
      }
    }
    total.clear();
    throw failureToBedrock(last!);
  }

  private async attempt(input: GenerationInput, pool: WorkerPool, tried: Set<string>, total: Deadline): Promise<Generation> {
    const { route, prompt } = input;
    const timings: GenerationTimings = {};
    const body = {
      model: route.config.prefillModel,
      ...prompt,
      temperature: input.temperature,
      top_p: input.topP,
      stop: input.stopSequences,
    };
    const path = isChat(prompt) ? PATHS.chatCompletions : PATHS.completions;

    let kvTransferParams: CompletionRequest['kv_transfer_params'];
    let maxTokens = input.maxTokens;
    let cappedByContext = false;
    let decodeStart = this.now();
    let promptTokens: number | undefined;
    // One stage clock per attempt: the prefill's limit, then re-armed for the first output token
    // and between tokens. (One AbortController and timer less per request than a clock per stage.)
    const watchdog = route.config.decode.canIngestKv
      ? new Deadline('prefill', route.timeouts.prefillMs, [total.signal])
      : new Deadline('the first output token', route.timeouts.firstTokenMs, [total.signal]);
    const signal = watchdog.signal;
    if (route.config.decode.canIngestKv) {
      try {
        const url = pool.pick(tried);
        if (!url) throw new UpstreamFailure('unavailable', 'no prefill worker left to try', '');
        tried.add(url);
        const prefill = await this.prefill(url, path, body, pool, signal);
        watchdog.arm('the first output token', route.timeouts.firstTokenMs);
        timings.prefillMs = this.now() - decodeStart;
        decodeStart = this.now();
        kvTransferParams = prefill.kv_transfer_params;
        if (!kvTransferParams) throw new UpstreamFailure('unavailable', 'the prefill answer carried no kv_transfer_params', url);
        promptTokens = prefill.usage.prompt_tokens;
        if (promptTokens >= route.config.contextWindow) {
          throw validationError(
            `The prompt is ${promptTokens} tokens; the model's context window is ${route.config.contextWindow}. Shorten the prompt.`,
          );
        }
        // The answer must fit the window too; past that the model stops with model_context_window_exceeded.
        if (promptTokens + maxTokens > route.config.contextWindow) {
          maxTokens = route.config.contextWindow - promptTokens;
          cappedByContext = true;
        }
      } catch (error) {
        watchdog.clear();
        throw error;
      }
    }

    const decodeRequest: CompletionRequest = {
      ...body,
      model: route.config.decode.model,
      max_tokens: maxTokens,
      stream: true,
      stream_options: { include_usage: true },
      ...(kvTransferParams ? { kv_transfer_params: { ...kvTransferParams, do_remote_prefill: true, do_remote_decode: false } } : {}),
    };
    let chunks: AsyncGenerator<CompletionChunk[]>;
    try {
      chunks = await postStream(
        route.config.decode.url,
        path,
        decodeRequest,
        { fetch: this.fetch, signal, apiKey: this.resolveApiKey(route) },
        'decode',
      );
    } catch (error) {
      watchdog.clear();
      throw error;
    }

    // Read up to the first output token before answering, so failures so far can still retry.
    // Tokens that arrive together (one network read) leave together, as one delta.
    // Output read but not yet handed on, and how the stream ended; mutated in place, per token.
    let pendingText = '';
    let pendingTokens = 0;
    const end: { finish?: string; stopReason?: string | number | null; usage?: CompletionChunk['usage'] } = {};
    let outputTokens = 0;
    const read = async (): Promise<boolean> => {
      const next = await chunks.next();
      if (next.done) return false;
      const now = this.now();
      if (timings.kvHandoffMs === undefined) timings.kvHandoffMs = now - decodeStart;
      for (const chunk of next.value) {
        if (chunk.usage) end.usage = chunk.usage;
        for (const choice of chunk.choices) {
          const text = choice.delta?.content ?? choice.text ?? '';
          if (text) {
            pendingText += text;
            pendingTokens++;
            outputTokens++;
            timings.firstTokenAt ??= now;
            timings.lastTokenAt = now;
          }
          if (choice.finish_reason) {
            end.finish = choice.finish_reason;
            end.stopReason = choice.stop_reason;
          }
        }
      }
      if (pendingTokens > 0) watchdog.arm('the next output token', route.timeouts.interTokenMs);
      return true;
    };
    try {
      while (pendingTokens === 0 && !end.finish && (await read()));
    } catch (error) {
      watchdog.clear();
      await chunks.return(undefined as never).catch(() => undefined);
      throw error;
    }

    const finish = (): GenerationEnd => {
      const usage = end.usage;
      let stopReason: StopReason;
      if (end.finish === 'length') stopReason = cappedByContext ? 'model_context_window_exceeded' : 'max_tokens';
      else if (typeof end.stopReason === 'string' && input.stopSequences?.includes(end.stopReason)) stopReason = 'stop_sequence';
      else stopReason = 'end_turn';
      return {
        stopReason,
        // A decode API that sends no usage chunk still has a prompt: the prefill answer counted it.
        inputTokens: usage?.prompt_tokens ?? promptTokens ?? 0,
        outputTokens: usage?.completion_tokens ?? outputTokens,
      };
    };

    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      watchdog.clear();
      total.clear();
      await chunks.return(undefined as never).catch(() => undefined);
    };
    const deltas = async function* (): AsyncGenerator<Delta, GenerationEnd, undefined> {
      try {
        for (;;) {
          if (pendingTokens > 0) {
            const delta: Delta = { text: pendingText, tokens: pendingTokens };
            pendingText = '';
            pendingTokens = 0;
            yield delta;
          }
          if (!(await read())) break;
        }
        if (!end.finish) throw new UpstreamFailure('unavailable', 'the decode stream ended without a finish reason', route.config.decode.url);
        return finish();
      } catch (error) {
        if (error instanceof BedrockError) throw error;
        const failure = upstreamFailure(error, signal, route.config.decode.url, 'decode');
        throw failureToBedrock(failure);
      } finally {
        await close();
      }
    };
    return { timings, promptTokens, deltas: deltas(), close };
  }

  /** The prefill stage on one worker, under the attempt's stage clock (`signal`). */
  private async prefill(url: string, path: string, body: object, pool: WorkerPool, signal: AbortSignal): Promise<CompletionResponse> {
    const release = pool.acquire(url);
    try {
      const answer = await postJson<CompletionResponse>(
        url,
        path,
        { ...body, max_tokens: 1, stream: false, kv_transfer_params: { do_remote_decode: true } },
        { fetch: this.fetch, signal },
        `prefill on ${url}`,
      );
      pool.markHealthy(url);
      return answer;
    } catch (error) {
      if (error instanceof UpstreamFailure && (error.kind === 'unavailable' || error.kind === 'timeout')) pool.markFailed(url);
      throw error;
    } finally {
      release();
    }
  }

  /**
   * Counts a prompt's tokens with the model's real tokenizer, which lives on the workers
   * (vLLM's `/tokenize`): the prefill workers when there are any, else the decode endpoint.
   */
  public async countTokens(route: ModelRoute, prompt: PromptInput, signal: AbortSignal): Promise<number> {
    const pool = this.pool(route);
    const tried = new Set<string>();
    const attempts = Math.max(1, Math.min(pool.size, this.maxAttempts));
    let last: UpstreamFailure | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const url = pool.size > 0 ? pool.pick(tried) : route.config.decode.url;
      if (!url) break;
      tried.add(url);
      const deadline = new Deadline('token counting', route.timeouts.prefillMs, [signal]);
      const stageSignal = deadline.signal;
      try {
        const model = pool.size > 0 ? route.config.prefillModel : route.config.decode.model;
        const answer = await postJson<TokenizeResponse>(
          url,
          PATHS.tokenize,
          { model, ...prompt },
          { fetch: this.fetch, signal: stageSignal, apiKey: pool.size > 0 ? undefined : this.resolveApiKey(route) },
          `tokenize on ${url}`,
        );
        return answer.count;
      } catch (error) {
        last = upstreamFailure(error, stageSignal, url, `tokenize on ${url}`);
        if (last.kind === 'rejected' || last.kind === 'aborted') break;
        if (pool.size > 0) pool.markFailed(url);
      } finally {
        deadline.clear();
      }
    }
    throw failureToBedrock(last ?? new UpstreamFailure('unavailable', 'no worker to count tokens', ''));
  }
}
