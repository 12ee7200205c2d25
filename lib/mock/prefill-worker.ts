import { randomUUID } from 'node:crypto';
import { GatewayRequest, GatewayResponse, HttpHandler, jsonResponse } from '../runtime/http/http-types';
import { CompletionRequest, CompletionResponse, PATHS } from '../runtime/openai/worker-protocol';
import { ModelSpec } from '../hardware';
import { REAL_CLOCK } from '../planning/engines/clock';
import { PrefillQueue } from '../planning/engines/prefill-queue';
import { NO_TIMING, ServingTiming } from '../planning/timing/serving-timing';
import { PrefillFaults } from './faults';
import { buildKvBlob } from './kv-blob';
import { KvLeaseStore } from './kv-lease';
import { sleep } from './sleep';
import { answerFor } from './text-generator';
import { admit, crashedBody, parseWorkerBody, WorkerHttpError, workerRoutes } from './worker-http';

/** vLLM's default KV lease on the prefill side (VLLM_NIXL_ABORT_REQUEST_TIMEOUT). */
export const DEFAULT_KV_LEASE_MS = 30_000;
/** vLLM's KV block size in tokens, used to number the blocks a prompt fills. */
const BLOCK_TOKENS = 16;

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
  /** @default no faults */
  readonly faults?: PrefillFaults;
}

export interface PrefillWorker {
  readonly handle: HttpHandler;
  readonly leases: KvLeaseStore;
  /** A unique engine id, as vLLM reports in `remote_engine_id`. */
  readonly engineId: string;
}

/**
 * A mock vLLM prefill worker: the OpenAI-compatible completion and chat completion endpoints
 * with `kv_transfer_params`, plus `/tokenize` and `/health`. A prefill request (`max_tokens: 1`,
 * `do_remote_decode`) "computes" the prompt's KV cache, keeps the blob under a lease for the
 * decode worker to pull, and answers with the first token and where the blocks are. Prompts take
 * their turn on the worker's compute one at a time (the planner's `PrefillQueue` rule).
 */
export function createPrefillWorker(options: PrefillWorkerOptions): PrefillWorker {
  const servedModel = options.servedModelName ?? options.model.huggingFaceId;
  const timing = options.timing ?? NO_TIMING;
  const compute = new PrefillQueue(REAL_CLOCK);
  const faults = options.faults ?? {};
  const leases = options.leases ?? new KvLeaseStore(DEFAULT_KV_LEASE_MS);
  const engineId = randomUUID();

  const prefill = async (request: GatewayRequest): Promise<GatewayResponse> => {
    const body = parseWorkerBody<CompletionRequest>(request);
    const tokens = admit(body, servedModel, options.model.contextWindow);
    if (!body.kv_transfer_params?.do_remote_decode || body.max_tokens !== 1) {
      throw new WorkerHttpError(400, 'this prefill worker serves disaggregated prefill only: max_tokens 1 with kv_transfer_params.do_remote_decode');
    }
    await sleep(faults.delayMs ?? 0, request.signal);
    await compute.run(timing.prefillMs({ newTokens: tokens.length, contextTokens: tokens.length }), request.signal);
    // The client may have gone during the compute: then no lease is taken at all.
    if (request.signal.aborted) throw request.signal.reason;
    const leaseId = leases.add(buildKvBlob(tokens, options.model.kvBytesPerToken));
    const blocks = Math.ceil(tokens.length / BLOCK_TOKENS);
    const first = answerFor(tokens).token(0);
    const chat = request.path === PATHS.chatCompletions;
    const answer: CompletionResponse = {
      id: `cmpl-${leaseId}`,
      choices: [
        chat
          ? { index: 0, message: { role: 'assistant', content: first }, finish_reason: 'length' }
          : { index: 0, text: first, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: tokens.length, completion_tokens: 1, total_tokens: tokens.length + 1 },
      kv_transfer_params: {
        do_remote_prefill: true,
        do_remote_decode: false,
        remote_engine_id: engineId,
        remote_request_id: leaseId,
        remote_block_ids: Array.from({ length: blocks }, (_, i) => i),
        remote_host: options.kvEndpoint?.host,
        remote_port: options.kvEndpoint?.port,
        tp_size: 1,
      },
    };
    return jsonResponse(200, answer);
  };

  const routes = workerRoutes(servedModel, options.model.contextWindow, prefill);
  const handle: HttpHandler = async (request) => {
    // A crashed worker answers no route at all.
    if (faults.crash) return { status: 500, headers: {}, body: crashedBody('prefill worker crashed (injected fault)') };
    return routes(request);
  };
  return { handle, leases, engineId };
}
