import { PATHS, TokenizeResponse } from '../openai/worker-protocol';
import { runAttempt } from './attempt';
import { Deadline } from './deadline';
import { DecodeTiers, type DecodeTier } from './decode-tiers';
import { countTokensOnDecode } from './decode-token-count';
import type { FetchFunction } from './fetch-function';
import { isChat, type Generation, type GenerationInput, type PromptInput, type RouterOptions, type RoutingRecord } from './generation';
import { nodeFetch } from './node-fetch';
import { PrefillStage } from './prefill-stage';
import { promptPrefix, type PromptPrefix } from './prompt-prefix';
import type { ModelRoute } from './registry';
import type { DecodeRouteConfig } from './registry-config';
import { RouteWorkers } from './route-workers';
import { DEFAULT_ROUTING, type Routing } from './routing';
import { postJson } from './upstream';
import { failureToBedrock, UpstreamFailure, upstreamFailure } from './upstream-failure';
import { RegistryWorkerDirectory } from './registry-worker-directory';
import { type WorkerCall, workerCall } from './worker-call';
import type { WorkerDirectory } from './worker-directory';

/**
 * Runs a request through the disaggregated pipeline: the routing policy (prefix-aware by default)
 * picks a decode worker and, unless conditional disaggregation sends the request straight to it, a
 * prefill worker (`max_tokens: 1`, `do_remote_decode`); then a streamed decode that pulls the KV
 * blocks named by the prefill answer, or gets the whole prompt when the decode endpoint cannot
 * ingest KV or did not get it. Failures before the first output token retry on another prefill
 * worker; a request for the optimized latency tier falls back to the standard one; every stage has
 * a time limit; the client going away aborts every upstream call.
 */
export class Router {
  private readonly fetch: FetchFunction;
  private readonly prefill: PrefillStage;
  private readonly routes = new Map<ModelRoute, RouteWorkers>();
  private readonly tiers: DecodeTiers;
  private readonly workers: WorkerDirectory;
  private readonly coolDownMs: number;
  private readonly maxAttempts: number;
  private readonly routing: Routing;
  private readonly prefixIndexBlocks?: number;
  private readonly resolveApiKey: (decode: DecodeRouteConfig) => string | undefined;
  private readonly now: () => number;

  constructor(options: RouterOptions = {}) {
    this.fetch = options.fetch ?? nodeFetch;
    this.prefill = new PrefillStage(this.fetch);
    this.coolDownMs = options.workerCoolDownMs ?? 5000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.routing = options.routing ?? DEFAULT_ROUTING;
    this.prefixIndexBlocks = options.prefixIndexBlocks;
    this.now = options.now ?? Date.now;
    this.tiers = new DecodeTiers(this.coolDownMs, this.now);
    this.workers = options.workers ?? new RegistryWorkerDirectory();
    this.resolveApiKey =
      options.resolveApiKey ??
      ((decode) => {
        const envVar = decode.apiKey?.envVar;
        return envVar ? process.env[envVar] : undefined;
      });
  }

  private routeWorkers(route: ModelRoute): RouteWorkers {
    let workers = this.routes.get(route);
    if (!workers) {
      workers = new RouteWorkers(route, this.workers, this.coolDownMs, this.now, this.routing, this.prefixIndexBlocks);
      this.routes.set(route, workers);
    }
    return workers;
  }

  public async generate(input: GenerationInput): Promise<Generation> {
    const total = new Deadline('the whole request', input.route.timeouts.totalMs, [input.signal]);
    const call = workerCall(input);
    const prefix = promptPrefix(input.prompt);
    const record = input.routing ?? {};
    const plan = this.tiers.plan(input.route, input.latency ?? 'standard');
    let failure: UpstreamFailure | undefined;
    try {
      for (const tier of plan) {
        try {
          const generation = await this.onTier(input, call, prefix, record, tier, total);
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
   * The attempts on one decode tier (see runAttempt), on another prefill worker after a failure.
   * Throws the last UpstreamFailure, or a BedrockError that ends the request.
   */
  private async onTier(
    input: GenerationInput,
    call: WorkerCall,
    prefix: PromptPrefix,
    record: RoutingRecord,
    tier: DecodeTier,
    total: Deadline,
  ): Promise<Generation> {
    const workers = this.routeWorkers(input.route);
    const pools = await workers.pools(tier.decode);
    const tried = new Set<string>();
    // The optimized tier gets one try: when its endpoint fails, the standard tier is the retry.
    const attempts = tier.decode.canIngestKv && tier.latency === 'standard' ? Math.max(1, Math.min(pools.prefill.size, this.maxAttempts)) : 1;
    const apiKey = this.resolveApiKey(tier.decode);
    let last: UpstreamFailure | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await runAttempt({ input, call, prefix, tier, pools, knowledge: workers.knowledge, tried, total, record, fetch: this.fetch, prefill: this.prefill, apiKey, now: this.now });
      } catch (error) {
        if (!(error instanceof UpstreamFailure)) throw error; // a BedrockError that ends the request, or a bug
        last = error;
        const decodeAtCapacity = error.kind === 'throttled' && pools.decode.workers.includes(error.workerUrl);
        if (error.kind === 'rejected' || error.kind === 'aborted' || decodeAtCapacity || total.signal.aborted) break;
      }
    }
    throw last ?? new UpstreamFailure('unavailable', 'no attempt was made', '');
  }

  /**
   * Counts a prompt's tokens with the model's real tokenizer, which lives on the workers: vLLM's
   * `/tokenize` on the prefill workers, or without any, a one-token completion on the decode endpoint.
   */
  public async countTokens(route: ModelRoute, prompt: PromptInput, signal: AbortSignal): Promise<number> {
    if (route.config.prefillUrls.length === 0) {
      return countTokensOnDecode({ fetch: this.fetch, route, prompt, apiKey: this.resolveApiKey(route.config.decode), signal });
    }
    const pool = await this.routeWorkers(route).prefillPool();
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
