import { GatewayRequest, GatewayResponse, HttpHandler } from '../runtime/http/http-types';
import { CompletionRequest, PATHS } from '../runtime/openai/worker-protocol';
import { ModelSpec } from '../hardware';
import { REAL_CLOCK } from '../planning/engines/clock';
import { DecodeBatch } from '../planning/engines/decode-batch';
import { PrefillQueue } from '../planning/engines/prefill-queue';
import { NO_TIMING, ServingTiming } from '../planning/timing/serving-timing';
import { completionStream } from './completion-stream';
import { DecodeFaults } from './faults';
import { kvBlobMismatch } from './kv-blob';
import { KvSource } from './kv-transport';
import { mockAnswer } from './mock-answer';
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
}

export interface DecodeWorker {
  readonly handle: HttpHandler;
  stats(): DecodeWorkerStats;
}

/**
 * A mock decode engine (the CS-3's role): the OpenAI-compatible streamed chat completion and
 * completion endpoints. With `kv_transfer_params` it pulls the KV blob from the prefill worker
 * and checks it belongs to this prompt; without, it processes the prompt itself (prompt replay).
 * It then streams the mock model's deterministic answer (reasoning, text or a tool call: see
 * mock-answer.ts), honouring max_tokens and stop strings, with usage that agrees with `/tokenize`. KV it holds is freed when the stream ends, however it ends. Its streams
 * share one continuous batch (the planner's `DecodeBatch` rule: a step's time grows with the batch),
 * and prompts it replays take their turn on its compute one at a time.
 */
export function createDecodeWorker(options: DecodeWorkerOptions): DecodeWorker {
  const servedModel = options.servedModelName ?? options.model.huggingFaceId;
  const timing = options.timing ?? NO_TIMING;
  const batch = new DecodeBatch(REAL_CLOCK, (load) => timing.decodeStepMs(load), timing.decodeLimits);
  const replay = new PrefillQueue(REAL_CLOCK);
  const faults = options.faults ?? {};
  let activeStreams = 0;
  let heldKvBytes = 0;

  const generate = async (request: GatewayRequest): Promise<GatewayResponse> => {
    const body = parseWorkerBody<CompletionRequest>(request);
    const tokens = admit(body, servedModel, options.model.contextWindow);
    if (!body.stream) throw new WorkerHttpError(400, 'this mock decode worker serves stream: true only');
    if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) throw new WorkerHttpError(400, 'max_tokens must be a positive integer');
    const kv = body.kv_transfer_params;
    let held = 0;
    if (kv?.do_remote_prefill) {
      if (!options.kvSource) throw new WorkerHttpError(400, 'this decode worker cannot ingest KV; route it with prompt replay');
      let blob: Buffer;
      try {
        blob = await options.kvSource.pull(kv, request.signal);
      } catch (error) {
        if (request.signal.aborted) throw error;
        throw new WorkerHttpError(503, `KV load failed: ${(error as Error).message}`, 'KvLoadFailure');
      }
      const mismatch = kvBlobMismatch(blob, tokens);
      if (mismatch) throw new WorkerHttpError(503, `KV load failed: ${mismatch}`, 'KvLoadFailure');
      held = blob.length;
    } else {
      await replay.run(timing.replayPrefillMs({ newTokens: tokens.length, contextTokens: tokens.length }), request.signal);
    }
    activeStreams++;
    heldKvBytes += held;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      activeStreams--;
      heldKvBytes -= held;
    };
    if (request.signal.aborted) {
      release();
      throw request.signal.reason;
    }
    request.signal.addEventListener('abort', release, { once: true });

    const stream = completionStream({
      chat: request.path === PATHS.chatCompletions,
      promptTokens: tokens.length,
      answer: mockAnswer(body, tokens, {
        reasoning: options.model.reasoning,
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

  const handle = workerRoutes(servedModel, options.model.contextWindow, generate);
  return { handle, stats: () => ({ activeStreams, heldKvBytes }) };
}
