import { BedrockError } from '../bedrock/errors';
import { PATHS, TokenizeResponse } from '../openai/worker-protocol';
import { Deadline } from './deadline';
import { DecodeStream } from './decode-stream';
import { countTokensOnDecode } from './decode-token-count';
import type { FetchFunction } from './fetch-function';
import type { Generation, GenerationInput, GenerationTimings, PromptInput, RouterOptions } from './generation';
import { nodeFetch } from './node-fetch';
import { PrefillStage, type Prefilled } from './prefill-stage';
import type { ModelRoute } from './registry';
import { postJson } from './upstream';
import { failureToBedrock, UpstreamFailure, upstreamFailure } from './upstream-failure';
import { type WorkerCall, workerCall } from './worker-call';
import { WorkerPool } from './worker-pool';

/**
 * Runs a request through the disaggregated pipeline: prefill on the least-loaded healthy
 * Trainium worker (`max_tokens: 1`, `do_remote_decode`), then a streamed decode that pulls
 * the KV blocks named by the prefill answer, or gets the whole prompt when the decode
 * endpoint cannot ingest KV. Failures before the first output token retry on another
 * prefill worker; every stage has a time limit; the client going away aborts every upstream call.
 */
export class Router {
  private readonly fetch: FetchFunction;
  private readonly prefill: PrefillStage;
  private readonly pools = new Map<ModelRoute, WorkerPool>();
  private readonly coolDownMs: number;
  private readonly maxAttempts: number;
  private readonly resolveApiKey: (route: ModelRoute) => string | undefined;
  private readonly now: () => number;

  constructor(options: RouterOptions = {}) {
    this.fetch = options.fetch ?? nodeFetch;
    this.prefill = new PrefillStage(this.fetch);
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
    const call = workerCall(input);
    const attempts = input.route.config.decode.canIngestKv ? Math.max(1, Math.min(pool.size, this.maxAttempts)) : 1;
    let last: UpstreamFailure | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await this.attempt(input, call, pool, tried, total);
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

  /** One try: the prefill stage (unless the decode endpoint gets the whole prompt), then the decode stream up to its first token. */
  private async attempt(input: GenerationInput, call: WorkerCall, pool: WorkerPool, tried: Set<string>, total: Deadline): Promise<Generation> {
    const { route } = input;
    const canIngestKv = route.config.decode.canIngestKv;
    const timings: GenerationTimings = {};
    let startedAt = this.now();
    // One stage clock per attempt: the prefill's limit, then re-armed for the first output token
    // and between tokens. (One AbortController and timer less per request than a clock per stage.)
    const clock = canIngestKv
      ? new Deadline('prefill', route.timeouts.prefillMs, [total.signal])
      : new Deadline('the first output token', route.timeouts.firstTokenMs, [total.signal]);
    try {
      let prefilled: Prefilled | undefined;
      if (canIngestKv) {
        prefilled = await this.prefill.run(route, pool, tried, call, input.maxTokens, clock.signal);
        clock.arm('the first output token', route.timeouts.firstTokenMs);
        timings.prefillMs = this.now() - startedAt;
        startedAt = this.now();
      }
      return await DecodeStream.open({
        fetch: this.fetch,
        route,
        call,
        apiKey: this.resolveApiKey(route),
        maxTokens: input.maxTokens,
        stopSequences: input.stopSequences,
        prefilled,
        clock,
        total,
        timings,
        startedAt,
        now: this.now,
      });
    } catch (error) {
      clock.clear();
      throw error;
    }
  }

  /**
   * Counts a prompt's tokens with the model's real tokenizer, which lives on the workers: vLLM's
   * `/tokenize` on the prefill workers, or without any, a one-token completion on the decode endpoint.
   */
  public async countTokens(route: ModelRoute, prompt: PromptInput, signal: AbortSignal): Promise<number> {
    if (route.config.prefillUrls.length === 0) {
      return countTokensOnDecode({ fetch: this.fetch, route, prompt, apiKey: this.resolveApiKey(route), signal });
    }
    const pool = this.pool(route);
    const tried = new Set<string>();
    const attempts = Math.max(1, Math.min(pool.size, this.maxAttempts));
    let last: UpstreamFailure | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const url = pool.pick(tried);
      if (!url) break;
      tried.add(url);
      const deadline = new Deadline('token counting', route.timeouts.prefillMs, [signal]);
      const stageSignal = deadline.signal;
      try {
        const answer = await postJson<TokenizeResponse>(
          url,
          PATHS.tokenize,
          { model: route.config.prefillModel, ...prompt },
          { fetch: this.fetch, signal: stageSignal },
          `tokenize on ${url}`,
        );
        return answer.count;
      } catch (error) {
        last = upstreamFailure(error, stageSignal, url, `tokenize on ${url}`);
        if (last.kind === 'rejected' || last.kind === 'aborted') break;
        pool.markFailed(url);
      } finally {
        deadline.clear();
      }
    }
    throw failureToBedrock(last ?? new UpstreamFailure('unavailable', 'no worker to count tokens', ''));
  }
}
