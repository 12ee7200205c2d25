import { validationError } from '../bedrock/errors';
import { CompletionResponse, KvTransferParams } from '../openai/worker-protocol';
import type { FetchFunction } from './fetch-function';
import type { ModelRoute } from './registry';
import { postJson } from './upstream';
import { UpstreamFailure } from './upstream-failure';
import type { WorkerCall } from './worker-call';
import type { PoolRequest, WorkerPool } from './worker-pool';

/** What the prefill stage hands on to the decode stage. */
export interface Prefilled {
  /** Where the prefill worker left the prompt's KV blocks, for the decode endpoint to pull. */
  readonly kvTransferParams: KvTransferParams;
  /** The prompt's token count, as the prefill worker's tokenizer counted it. */
  readonly promptTokens: number;
  /** The output budget: the request's, capped so that prompt and answer fit the context window. */
  readonly maxTokens: number;
  /** True when the context window, not the request, set `maxTokens`: reaching it ends with model_context_window_exceeded. */
  readonly cappedByContext: boolean;
  /** The prefill worker that computed it. */
  readonly workerUrl: string;
  /** Of the prompt's tokens, those the prefill worker's prefix cache served. */
  readonly cachedTokens: number;
  /** Of the prompt's tokens, those it wrote to its cache of a prefix the request asked to keep. */
  readonly cacheWriteTokens: number;
}

/**
 * The prefill stage of one attempt: a Trainium worker computes the prompt's KV cache (a
 * completion with `max_tokens: 1` and `do_remote_decode`) and answers where the blocks are.
 * The worker comes from the model's pool, never one this request already tried; one that fails
 * to answer sits out a cool-down, one that answers is healthy again.
 */
export class PrefillStage {
  constructor(private readonly fetch: FetchFunction) {}

  /**
   * Runs the stage under the attempt's stage clock (`signal`); `tried` gains the worker picked, by
   * the pool's policy with what `request` says of the prompt.
   */
  public async run(
    route: ModelRoute,
    pool: WorkerPool,
    tried: Set<string>,
    call: WorkerCall,
    maxTokens: number,
    signal: AbortSignal,
    request?: PoolRequest,
  ): Promise<Prefilled> {
    const url = pool.pick(tried, request);
    if (!url) throw new UpstreamFailure('unavailable', 'no prefill worker left to try', '');
    tried.add(url);
    const uncached = request ? Math.max(1, request.promptTokens - (request.cachedTokens?.get(url) ?? 0)) : 0;
    const answer = await this.prefill(url, call, pool, signal, uncached);
    const kvTransferParams = answer.kv_transfer_params;
    if (!kvTransferParams) throw new UpstreamFailure('unavailable', 'the prefill answer carried no kv_transfer_params', url);
    const promptTokens = answer.usage.prompt_tokens;
    const contextWindow = route.config.contextWindow;
    if (promptTokens >= contextWindow) {
      throw validationError(`The prompt is ${promptTokens} tokens; the model's context window is ${contextWindow}. Shorten the prompt.`);
    }
    // The answer must fit the window too; past that the model stops with model_context_window_exceeded.
    const cappedByContext = promptTokens + maxTokens > contextWindow;
    const details = answer.usage.prompt_tokens_details;
    return {
      kvTransferParams,
      promptTokens,
      maxTokens: cappedByContext ? contextWindow - promptTokens : maxTokens,
      cappedByContext,
      workerUrl: url,
      cachedTokens: details?.cached_tokens ?? 0,
      cacheWriteTokens: details?.cache_write_tokens ?? 0,
    };
  }

  /** The prefill call on one worker, counted against its load (a request, `tokens` of work) while it runs. */
  private async prefill(url: string, call: WorkerCall, pool: WorkerPool, signal: AbortSignal, tokens: number): Promise<CompletionResponse> {
    const release = pool.acquire(url, tokens);
    try {
      const answer = await postJson<CompletionResponse>(
        url,
        call.path,
        { ...call.body, max_tokens: 1, stream: false, kv_transfer_params: { do_remote_decode: true } },
        { fetch: this.fetch, signal },
        'prefill',
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
}
