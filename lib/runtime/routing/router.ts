import { PATHS, TokenizeResponse } from '../openai/worker-protocol';
import { Deadline } from './deadline';
import { DecodeStream } from './decode-stream';
import { DecodeTiers, type DecodeTier } from './decode-tiers';
import { countTokensOnDecode } from './decode-token-count';
import type { FetchFunction } from './fetch-function';
import { isChat, type Generation, type GenerationInput, type GenerationTimings, type PromptInput, type RouterOptions } from './generation';
import { nodeFetch } from './node-fetch';
import { PrefillStage, type Prefilled } from './prefill-stage';
import type { ModelRoute } from './registry';
import type { DecodeRouteConfig } from './registry-config';
import { postJson } from './upstream';
import { failureToBedrock, UpstreamFailure, upstreamFailure } from './upstream-failure';
import { type WorkerCall, workerCall } from './worker-call';
import { WorkerPool } from './worker-pool';

/**
 * Runs a request through the disaggregated pipeline: prefill on the least-loaded healthy
 * Trainium worker (`max_tokens: 1`, `do_remote_decode`), then a streamed decode that pulls
 * the KV blocks named by the prefill answer, or gets the whole prompt when the decode
 * endpoint cannot ingest KV. Failures before the first output token retry on another
 * prefill worker; a request for the optimized latency tier falls back to the standard one; every
 * stage has a time limit; the client going away aborts every upstream call.
 */
export class Router {
  private readonly fetch: FetchFunction;
  private readonly prefill: PrefillStage;
  private readonly pools = new Map<ModelRoute, WorkerPool>();
  private readonly tiers: DecodeTiers;
  private readonly coolDownMs: number;
  private readonly maxAttempts: number;
  private readonly resolveApiKey: (decode: DecodeRouteConfig) => string | undefined;
  private readonly now: () => number;

  constructor(options: RouterOptions = {}) {
    this.fetch = options.fetch ?? nodeFetch;
    this.prefill = new PrefillStage(this.fetch);
    this.coolDownMs = options.workerCoolDownMs ?? 5000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.now = options.now ?? Date.now;
    this.tiers = new DecodeTiers(this.coolDownMs, this.now);
    this.resolveApiKey =
      options.resolveApiKey ??
      ((decode) => {
        const envVar = decode.apiKey?.envVar;
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
    const call = workerCall(input);
    const plan = this.tiers.plan(input.route, input.latency ?? 'standard');
    let failure: UpstreamFailure | undefined;
    try {
      for (const tier of plan) {
        try {
          const generation = await this.onTier(input, call, tier, total);
          this.tiers.markHealthy(tier.decode);
          return generation;
        } catch (error) {
          if (!(error instanceof UpstreamFailure)) throw error;
          failure = error;
          // The optimized tier may hand over to the standard one: at capacity, down, or too slow.
          const fallBack = tier.latency === 'optimized' && error.kind !== 'rejected' && error.kind !== 'aborted' && !total.signal.aborted;
          if (!fallBack) break;
          if (error.kind !== 'throttled') this.tiers.markFailed(tier.decode);
        }
      }
    } catch (error) {
      total.clear();
      throw error; // a BedrockError the client caused, or a bug the gateway reports as internal
    }
    total.clear();
    throw failureToBedrock(failure!);
  }

  /**
   * The attempts on one decode tier: each a prefill (unless the endpoint gets the whole prompt) and
   * the decode stream up to its first output, on another prefill worker after a failure. Throws the
   * last UpstreamFailure, or a BedrockError that ends the request.
   */
  private async onTier(input: GenerationInput, call: WorkerCall, tier: DecodeTier, total: Deadline): Promise<Generation> {
    const pool = this.pool(input.route);
    const tried = new Set<string>();
    // The optimized tier gets one try: when its endpoint fails, the standard tier is the retry.
    const attempts = tier.decode.canIngestKv && tier.latency === 'standard' ? Math.max(1, Math.min(pool.size, this.maxAttempts)) : 1;
    let last: UpstreamFailure | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await this.attempt(input, call, tier, pool, tried, total);
      } catch (error) {
        if (!(error instanceof UpstreamFailure)) throw error; // a BedrockError that ends the request, or a bug
        last = error;
        const decodeAtCapacity = error.kind === 'throttled' && error.workerUrl === tier.decode.url;
        if (error.kind === 'rejected' || error.kind === 'aborted' || decodeAtCapacity || total.signal.aborted) break;
      }
    }
    throw last ?? new UpstreamFailure('unavailable', 'no attempt was made', '');
  }

  /** One try: the prefill stage (unless the decode endpoint gets the whole prompt), then the decode stream up to its first token. */
  private async attempt(
    input: GenerationInput,
    call: WorkerCall,
    tier: DecodeTier,
    pool: WorkerPool,
    tried: Set<string>,
    total: Deadline,
  ): Promise<Generation> {
    const { route } = input;
    const canIngestKv = tier.decode.canIngestKv;
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
        tier,
        call,
        apiKey: this.resolveApiKey(tier.decode),
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
      return countTokensOnDecode({ fetch: this.fetch, route, prompt, apiKey: this.resolveApiKey(route.config.decode), signal });
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
        // What the chat template renders: messages and tools (tool_choice does not change the prompt).
        const counted = isChat(prompt) ? { messages: prompt.messages, ...(prompt.tools ? { tools: prompt.tools } : {}) } : prompt;
        const answer = await postJson<TokenizeResponse>(
          url,
          PATHS.tokenize,
          { model: route.config.prefillModel, ...counted },
          { fetch: this.fetch, signal: stageSignal },
          'token counting',
        );
        return answer.count;
      } catch (error) {
        last = upstreamFailure(error, stageSignal, url, 'token counting');
        if (last.kind === 'rejected' || last.kind === 'aborted') break;
        pool.markFailed(url);
      } finally {
        deadline.clear();
      }
    }
    throw failureToBedrock(last ?? new UpstreamFailure('unavailable', 'no worker to count tokens', ''));
  }
}
