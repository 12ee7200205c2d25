import { Deadline } from './deadline';
import { DecodeStream } from './decode-stream';
import type { DecodeTier } from './decode-tiers';
import { decideDisaggregation, isKvHandoffFailure } from './disaggregation';
import type { FetchFunction } from './fetch-function';
import type { Generation, GenerationInput, GenerationTimings, RoutingRecord } from './generation';
import type { PrefillStage, Prefilled } from './prefill-stage';
import type { PromptPrefix } from './prompt-prefix';
import type { CacheKnowledge } from './cache-knowledge';
import type { RequestPools } from './route-workers';
import { UpstreamFailure } from './upstream-failure';
import type { WorkerCall } from './worker-call';

/** What one attempt needs: the request, the tier it runs on, the route's workers, and the router's parts. */
export interface AttemptContext {
  readonly input: GenerationInput;
  readonly call: WorkerCall;
  readonly prefix: PromptPrefix;
  readonly tier: DecodeTier;
  /** The pools the request picks its prefill and decode workers from. */
  readonly pools: RequestPools;
  /** What the router knows of those workers' prefix caches. */
  readonly knowledge: CacheKnowledge;
  /** Prefill workers this request has tried. */
  readonly tried: Set<string>;
  readonly total: Deadline;
  /** How the request was routed, filled in as it goes (the last attempt's choices win). */
  readonly record: RoutingRecord;
  readonly fetch: FetchFunction;
  readonly prefill: PrefillStage;
  readonly apiKey?: string;
  readonly now: () => number;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * One try: choose the decode worker (by the routing policy, with what the router knows of its
 * cache), decide whether the prompt's uncached part is prefilled remotely (conditional
 * disaggregation), run the prefill stage if so, then open the decode stream up to its first token.
 * When the decode worker cannot pull the KV (lease expired, prefill worker gone, transfer error),
 * the prompt is replayed to it instead, once per request, under the same limits (DESIGN.md: vLLM's
 * `kv_load_failure_policy: recompute`, done by the router). Throws an UpstreamFailure the router may
 * retry, or a BedrockError that ends the request.
 */
export async function runAttempt(context: AttemptContext): Promise<Generation> {
  const { input, prefix, tier, knowledge, record, now } = context;
  const { route } = input;
  const { prefill: prefillPool, decode: decodePool } = context.pools;
  const promptTokens = knowledge.promptTokens(prefix);
  const placing = { promptTokens, affinity: prefix.affinity };
  const decodeCached = knowledge.cachedTokens(prefix, decodePool.workers);
  const decodeUrl = decodePool.pick(NONE, { ...placing, cachedTokens: decodeCached });
  if (!decodeUrl) throw new UpstreamFailure('unavailable', 'no decode worker to try', '');
  const expectedOnDecode = decodeCached.get(decodeUrl) ?? 0;
  const decision = decideDisaggregation(tier.decode.canIngestKv, route.config.disaggregationThreshold ?? 0, promptTokens, expectedOnDecode);
  Object.assign(record, { decodeWorker: decodeUrl, disaggregation: decision.path, uncachedTokens: decision.uncachedTokens, threshold: decision.threshold });
  if (decision.path !== 'remote') delete record.prefillWorker;

  const timings: GenerationTimings = {};
  let startedAt = now();
  // One stage clock per attempt: the prefill's limit, then re-armed for the first output token
  // and between tokens. (One AbortController and timer less per request than a clock per stage.)
  const clock =
    decision.path === 'remote'
      ? new Deadline('prefill', route.timeouts.prefillMs, [context.total.signal])
      : new Deadline('the first output token', route.timeouts.firstTokenMs, [context.total.signal]);
  try {
    let prefilled: Prefilled | undefined;
    if (decision.path === 'remote') {
      const prefillCached = knowledge.cachedTokens(prefix, prefillPool.workers);
      prefilled = await context.prefill.run(route, prefillPool, context.tried, context.call, input.maxTokens, clock.signal, {
        ...placing,
        cachedTokens: prefillCached,
      });
      record.prefillWorker = prefilled.workerUrl;
      knowledge.answered(prefilled.workerUrl, prefix, prefilled.promptTokens, prefilled.cachedTokens, prefillCached.get(prefilled.workerUrl) ?? 0);
      clock.arm('the first output token', route.timeouts.firstTokenMs);
      timings.prefillMs = now() - startedAt;
      startedAt = now();
    }
    const open = (pull: boolean) => {
      // The stream counts on the worker with the work it brings: the tokens to pull or to compute.
      const release = decodePool.acquire(decodeUrl, decision.uncachedTokens);
      return DecodeStream.open({
        fetch: context.fetch,
        route,
        tier,
        decodeUrl,
        call: context.call,
        apiKey: context.apiKey,
        maxTokens: input.maxTokens,
        stopSequences: input.stopSequences,
        prefilled,
        kvTransferParams: pull ? prefilled?.kvTransferParams : undefined,
        clock,
        total: context.total,
        timings,
        startedAt,
        now,
        onClose: release,
        onUsage: (usage) =>
          knowledge.answered(decodeUrl, prefix, usage.prompt_tokens, usage.prompt_tokens_details?.cached_tokens ?? 0, expectedOnDecode),
      });
    };
    let stream: DecodeStream;
    try {
      stream = await open(prefilled !== undefined);
    } catch (error) {
      if (!prefilled || record.kvRecompute !== undefined || !isKvHandoffFailure(error, decodeUrl) || context.total.signal.aborted) throw error;
      record.kvRecompute = error.detail ?? error.message;
      clock.arm('the first output token', route.timeouts.firstTokenMs);
      stream = await open(false);
    }
    decodePool.markHealthy(decodeUrl);
    return stream;
  } catch (error) {
    clock.clear();
    if (error instanceof UpstreamFailure && error.workerUrl === decodeUrl && (error.kind === 'unavailable' || error.kind === 'timeout')) {
      decodePool.markFailed(decodeUrl);
    }
    throw error;
  }
}
