import { GatewayRequest, GatewayResponse, HttpHandler } from '../runtime/http/http-types';
import { CompletionRequest, PATHS } from '../runtime/openai/worker-protocol';
import { DEFAULT_PREFILL_INSTANCE_TYPE, kvCacheBytes, ModelSpec } from '../hardware';
import { REAL_CLOCK } from '../planning/engines/clock';
import { DecodeBatch } from '../planning/engines/decode-batch';
import { PrefillQueue } from '../planning/engines/prefill-queue';
import { DecodeTier, kvCapacity } from '../planning/serving-config';
import { NO_TIMING, ServingTiming } from '../planning/timing/serving-timing';
import { completionStream } from './completion-stream';
import { DecodeFaults } from './faults';
import { kvBlobMismatch } from './kv-blob';
import { KvSource } from './kv-transport';
import { mockAnswer } from './mock-answer';
import type { BlockHold } from './prefix-cache';
import { PromptCache, PromptCacheStats } from './prompt-cache';
import { admit, parseWorkerBody, WorkerHttpError, workerRoutes } from './worker-http';

export interface DecodeWorkerOptions {
  readonly model: ModelSpec;
  /** The `model` name requests must carry. @default the model's Hugging Face id */
  readonly servedModelName?: string;
  /**
   * Where KV blocks come from. Without one the worker cannot ingest KV: route it with
   * `canIngestKv: false` and the router replays the prompt. @default none (prompt replay only)
   */
  readonly kvSource?: KvSource;
  /** @default NO_TIMING */
  readonly timing?: ServingTiming;
  /** Tokens of KV the worker's prefix cache holds. @default the catalog's room for a CS-3 decode tier (see `kvCapacity`) */
  readonly kvCacheTokens?: number;
  /** @default no faults */
  readonly faults?: DecodeFaults;
  /** Answer length, in tokens, when max_tokens and stop strings allow it. @default 12-60, from the prompt */
  readonly naturalAnswerTokens?: number;
}

export interface DecodeWorkerStats {
  /** Streams being generated now. */
  readonly activeStreams: number;
  /** Bytes of pulled KV held by those streams. */
  readonly heldKvBytes: number;
  /** Prompt tokens whose KV the worker pulled from prefill workers, so far. */
  readonly pulledTokens: number;
  /** The KV bytes those tokens take at full size (the catalog's `kvCacheBytes`; the mock moves them scaled down). */
  readonly pulledKvBytes: number;
  /** Prompt tokens the worker computed itself (prompt replay), so far. */
  readonly computedTokens: number;
  /** What the worker's prompts found in its prefix cache. */
  readonly cache: PromptCacheStats;
}

export interface DecodeWorker {
  readonly handle: HttpHandler;
  stats(): DecodeWorkerStats;
}

/**
 * A mock decode engine: the OpenAI-compatible streamed chat completion and completion endpoints.
 * Its prefix cache keeps a conversation's blocks between turns. With `kv_transfer_params` it pulls
 * from the prefill worker only the blocks it lacks (vLLM's NixlConnector: "Partial prefix cache hit:
 * just read uncomputed blocks", `_read_blocks` in vllm/distributed/kv_transfer/kv_connector/v1/
 * nixl_connector.py) and checks they belong to this prompt; without, it computes what it lacks
 * itself (prompt replay). It then streams the mock model's deterministic answer (reasoning, text or
 * a tool call: see mock-answer.ts), honouring max_tokens and stop strings, with usage that agrees with
 * `/tokenize`. KV it holds is released when the stream ends, however it ends. Its streams share one
 * continuous batch (the planner's `DecodeBatch` rule: a step's time grows with the batch), and
 * prompts it computes take their turn on its compute one at a time, charged for their uncached tokens.
 */
export function createDecodeWorker(options: DecodeWorkerOptions): DecodeWorker {
  const { model } = options;
  const servedModel = options.servedModelName ?? model.huggingFaceId;
  const timing = options.timing ?? NO_TIMING;
  const batch = new DecodeBatch(REAL_CLOCK, (load) => timing.decodeStepMs(load), timing.decodeLimits);
  const replay = new PrefillQueue(REAL_CLOCK);
  const cache = new PromptCache(
    options.kvCacheTokens ?? kvCapacity({ model, prefill: { instanceType: DEFAULT_PREFILL_INSTANCE_TYPE }, decode: DecodeTier.cs3() }).decodeTokens,
  );
  const faults = options.faults ?? {};
  let activeStreams = 0;
  let heldKvBytes = 0;
  let pulledTokens = 0;
  let pulledKvBytes = 0;
  let computedTokens = 0;

  /** Pulls what the cache lacks of the prompt; a failure is vLLM's KV load failure (its `fail` policy: the request errors). */
  const pull = async (body: CompletionRequest, tokens: number[], fromToken: number, signal: AbortSignal): Promise<number> => {
    const kv = body.kv_transfer_params!;
    if (!options.kvSource) throw new WorkerHttpError(400, 'this decode worker cannot ingest KV; route it with prompt replay');
    let blob: Buffer;
    try {
      blob = await options.kvSource.pull(kv, signal, fromToken);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new WorkerHttpError(503, `KV load failed: ${(error as Error).message}`, 'KvLoadFailure');
    }
    const mismatch = kvBlobMismatch(blob, tokens, fromToken);
    if (mismatch) throw new WorkerHttpError(503, `KV load failed: ${mismatch}`, 'KvLoadFailure');
    pulledTokens += tokens.length - fromToken;
    pulledKvBytes += kvCacheBytes(model, tokens.length - fromToken);
    return blob.length;
  };

  const generate = async (request: GatewayRequest): Promise<GatewayResponse> => {
    const body = parseWorkerBody<CompletionRequest>(request);
    const tokens = admit(body, servedModel, model.contextWindow);
    if (!body.stream) throw new WorkerHttpError(400, 'this mock decode worker serves stream: true only');
    if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) throw new WorkerHttpError(400, 'max_tokens must be a positive integer');
    const found = cache.lookUp(body, tokens);
    let held = 0;
    let hold: BlockHold;
    if (body.kv_transfer_params?.do_remote_prefill) {
      held = await pull(body, tokens, found.cachedTokens, request.signal);
      hold = found.hold();
    } else {
      hold = found.hold();
      const uncached = tokens.length - found.cachedTokens;
      try {
        await replay.run(timing.replayPrefillMs({ newTokens: uncached, contextTokens: tokens.length }), request.signal);
      } catch (error) {
        hold.release();
        throw error;
      }
      computedTokens += uncached;
    }
    activeStreams++;
    heldKvBytes += held;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      activeStreams--;
      heldKvBytes -= held;
      hold.release();
    };
    if (request.signal.aborted) {
      release();
      throw request.signal.reason;
    }
    request.signal.addEventListener('abort', release, { once: true });

    const stream = completionStream({
      chat: request.path === PATHS.chatCompletions,
      promptTokens: tokens.length,
      cachedTokens: found.cachedTokens,
      cacheWriteTokens: found.cacheWriteTokens,
      answer: mockAnswer(body, tokens, {
        reasoning: model.reasoning,
        naturalAnswerTokens: options.naturalAnswerTokens,
        malformedToolCalls: faults.malformedToolCalls,
      }),
      maxTokens: body.max_tokens,
      stops: body.stop ?? [],
      batch,
      faults,
      signal: request.signal,
      onEnd: () => {
        request.signal.removeEventListener('abort', release);
        release();
      },
    });
    return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: stream };
  };

  // A decode is answered when its stream starts: before that it pulls KV or replays the prompt (waiting).
  const handle = workerRoutes(servedModel, model.contextWindow, generate, (unanswered) => ({ running: activeStreams, waiting: unanswered }));
  return {
    handle,
    stats: () => ({ activeStreams, heldKvBytes, pulledTokens, pulledKvBytes, computedTokens, cache: cache.stats() }),
  };
}
