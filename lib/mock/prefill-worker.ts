import { randomUUID } from 'node:crypto';
import { GatewayRequest, GatewayResponse, HttpHandler, jsonResponse } from '../runtime/http/http-types';
import { CompletionRequest, CompletionResponse, PATHS } from '../runtime/openai/worker-protocol';
import { DEFAULT_PREFILL_INSTANCE_TYPE, ModelSpec } from '../hardware';
import { REAL_CLOCK } from '../planning/engines/clock';
import { PrefillQueue } from '../planning/engines/prefill-queue';
import { prefillReplica } from '../planning/serving-config';
import { NO_TIMING, ServingTiming } from '../planning/timing/serving-timing';
import { PrefillFaults } from './faults';
import { buildKvBlob, kvBlobBytes } from './kv-blob';
import { KvLeaseStore } from './kv-lease';
import { KV_BLOCK_TOKENS } from './prefix-cache';
import { PromptCache, PromptCacheStats } from './prompt-cache';
import { sleep } from './sleep';
import { answerFor } from './text-generator';
import { admit, crashedBody, parseWorkerBody, WorkerHttpError, workerRoutes } from './worker-http';

/** vLLM's default KV lease on the prefill side (VLLM_NIXL_ABORT_REQUEST_TIMEOUT). */
export const DEFAULT_KV_LEASE_MS = 30_000;

export interface PrefillWorkerOptions {
  /** The model whose shape sets KV sizes and the context window. */
  readonly model: ModelSpec;
  /** The `model` name requests must carry. @default the model's Hugging Face id */
  readonly servedModelName?: string;
  /** Where decode workers pull this worker's KV blobs; without one the answer names no KV location. @default none */
  readonly kvEndpoint?: { readonly host: string; readonly port: number };
  /** Leased blobs; share it with the KV transport server. @default a store with DEFAULT_KV_LEASE_MS leases */
  readonly leases?: KvLeaseStore;
  /** @default NO_TIMING */
  readonly timing?: ServingTiming;
  /**
   * Tokens of KV the worker's prefix cache holds.
   * @default the catalog's room on the default prefill instance type (device memory less the weights)
   */
  readonly kvCacheTokens?: number;
  /** @default no faults */
  readonly faults?: PrefillFaults;
}

export interface PrefillWorker {
  readonly handle: HttpHandler;
  readonly leases: KvLeaseStore;
  /** A unique engine id, as vLLM reports in `remote_engine_id`. */
  readonly engineId: string;
  /** What the worker's prompts found in its prefix cache. */
  stats(): PromptCacheStats;
}

/**
 * A mock vLLM prefill worker: the OpenAI-compatible completion and chat completion endpoints
 * with `kv_transfer_params`, plus `/tokenize` and `/health`. A prefill request (`max_tokens: 1`,
 * `do_remote_decode`) "computes" the prompt's KV cache, keeps it under a lease for the decode
 * worker to pull, and answers with the first token and where the blocks are. Its prefix cache
 * (vLLM's automatic prefix caching: see prefix-cache.ts) serves the prompt's cached prefix, so only
 * the rest is computed, and the answer's usage says how much was cached; the prompt's blocks stay
 * held until the lease ends. Prompts take their turn on the worker's compute one at a time (the
 * planner's `PrefillQueue` rule), each charged the time of its uncached tokens.
 */
export function createPrefillWorker(options: PrefillWorkerOptions): PrefillWorker {
  const { model } = options;
  const servedModel = options.servedModelName ?? model.huggingFaceId;
  const timing = options.timing ?? NO_TIMING;
  const compute = new PrefillQueue(REAL_CLOCK);
  const faults = options.faults ?? {};
  const leases = options.leases ?? new KvLeaseStore(DEFAULT_KV_LEASE_MS);
  const cache = new PromptCache(options.kvCacheTokens ?? prefillReplica({ model, prefill: { instanceType: DEFAULT_PREFILL_INSTANCE_TYPE } }).kvCapacityTokens);
  const engineId = randomUUID();

  const prefill = async (request: GatewayRequest): Promise<GatewayResponse> => {
    const body = parseWorkerBody<CompletionRequest>(request);
    const tokens = admit(body, servedModel, model.contextWindow);
    if (!body.kv_transfer_params?.do_remote_decode || body.max_tokens !== 1) {
      throw new WorkerHttpError(400, 'this prefill worker serves disaggregated prefill only: max_tokens 1 with kv_transfer_params.do_remote_decode');
    }
    await sleep(faults.delayMs ?? 0, request.signal);
    const found = cache.lookUp(body, tokens);
    // The blocks are the request's from the compute on: computed ones join the cache, cached ones stay.
    const hold = found.hold();
    try {
      await compute.run(timing.prefillMs({ newTokens: tokens.length - found.cachedTokens, contextTokens: tokens.length }), request.signal);
      // The client may have gone during the compute: then no lease is taken at all.
      if (request.signal.aborted) throw request.signal.reason;
    } catch (error) {
      hold.release();
      throw error;
    }
    const kvBytesPerToken = model.kvBytesPerToken;
    const leaseId = leases.add({ blob: (from) => buildKvBlob(tokens, kvBytesPerToken, from), bytes: kvBlobBytes(tokens.length, kvBytesPerToken) }, hold.release);
    const first = answerFor(tokens).token(0);
    const chat = request.path === PATHS.chatCompletions;
    const answer: CompletionResponse = {
      id: `cmpl-${leaseId}`,
      choices: [
        chat
          ? { index: 0, message: { role: 'assistant', content: first }, finish_reason: 'length' }
          : { index: 0, text: first, finish_reason: 'length' },
      ],
      usage: {
        prompt_tokens: tokens.length,
        completion_tokens: 1,
        total_tokens: tokens.length + 1,
        prompt_tokens_details: { cached_tokens: found.cachedTokens, cache_write_tokens: found.cacheWriteTokens },
      },
      kv_transfer_params: {
        do_remote_prefill: true,
        do_remote_decode: false,
        remote_engine_id: engineId,
        remote_request_id: leaseId,
        // vLLM names every block of the prompt, the partial last one included.
        remote_block_ids: Array.from({ length: Math.ceil(tokens.length / KV_BLOCK_TOKENS) }, (_, i) => i),
        remote_host: options.kvEndpoint?.host,
        remote_port: options.kvEndpoint?.port,
        tp_size: 1,
      },
    };
    return jsonResponse(200, answer);
  };

  // A prefill is answered when its prompt is computed, one prompt at a time (PrefillQueue's rule).
  const load = (unanswered: number) => ({ running: Math.min(unanswered, 1), waiting: Math.max(unanswered - 1, 0) });
  const routes = workerRoutes(servedModel, model.contextWindow, prefill, load);
  const handle: HttpHandler = async (request) => {
    // A crashed worker answers no route at all.
    if (faults.crash) return { status: 500, headers: {}, body: crashedBody('prefill worker crashed (injected fault)') };
    return routes(request);
  };
  return { handle, leases, engineId, stats: () => cache.stats() };
}
