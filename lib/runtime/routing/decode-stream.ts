import { BedrockError } from '../bedrock/errors';
import { CompletionChunk, CompletionRequest, Usage } from '../openai/worker-protocol';
import type { Deadline } from './deadline';
import type { FetchFunction } from './fetch-function';
import type { Delta, Generation, GenerationEnd, GenerationTimings, StopReason } from './generation';
import type { Prefilled } from './prefill-stage';
import type { ModelRoute } from './registry';
import { postStream } from './upstream';
import { failureToBedrock, UpstreamFailure, upstreamFailure } from './upstream-failure';
import type { WorkerCall } from './worker-call';

export interface DecodeStreamOptions {
  readonly fetch: FetchFunction;
  readonly route: ModelRoute;
  readonly call: WorkerCall;
  /** The decode endpoint's API key, if it takes one. */
  readonly apiKey?: string;
  /** The request's output budget; the prefill stage's (capped to the context window) wins when there was one. */
  readonly maxTokens: number;
  readonly stopSequences?: readonly string[];
  /** What the prefill stage handed on; none in prompt replay, where the decode endpoint gets the whole prompt. */
  readonly prefilled?: Prefilled;
  /** The attempt's stage clock, armed until the first output token; the stream re-arms it between tokens. */
  readonly clock: Deadline;
  /** The whole request's clock: the stream clears it when it closes. */
  readonly total: Deadline;
  /** The attempt's stage times, which the stream fills in. */
  readonly timings: GenerationTimings;
  /** When the decode stage began: the KV hand-off is timed from here. */
  readonly startedAt: number;
  readonly now: () => number;
}

/**
 * The decode stage of one attempt, and the Generation the router hands out: a streamed
 * completion from the decode endpoint (pulling the KV blocks the prefill stage named, or with
 * the whole prompt). `open` reads up to the first output token before it resolves, so failures
 * until then can still retry on another prefill worker. Tokens that arrive together (one network
 * read) leave together, as one delta. Its state changes on every token: plain fields, no
 * per-token objects.
 */
export class DecodeStream implements Generation {
  /** Posts the decode request and reads up to the first output token (or the end). */
  public static async open(options: DecodeStreamOptions): Promise<DecodeStream> {
    const { route, call, prefilled, clock } = options;
    const kvTransferParams = prefilled?.kvTransferParams;
    const request: CompletionRequest = {
      ...call.body,
      model: route.config.decode.model,
      max_tokens: prefilled?.maxTokens ?? options.maxTokens,
      stream: true,
      stream_options: { include_usage: true },
      ...(kvTransferParams ? { kv_transfer_params: { ...kvTransferParams, do_remote_prefill: true, do_remote_decode: false } } : {}),
    };
    const chunks = await postStream(
      route.config.decode.url,
      call.path,
      request,
      { fetch: options.fetch, signal: clock.signal, apiKey: options.apiKey },
      'decode',
    );
    const stream = new DecodeStream(chunks, options);
    try {
      while (stream.pendingTokens === 0 && !stream.finishReason && (await stream.read()));
    } catch (error) {
      clock.clear();
      await chunks.return(undefined as never).catch(() => undefined);
      throw error;
    }
    return stream;
  }

  public readonly timings: GenerationTimings;
  public readonly promptTokens?: number;
  public readonly deltas: AsyncGenerator<Delta, GenerationEnd, undefined>;

  // Output read but not yet handed on, and how the stream ended so far.
  private pendingText = '';
  private pendingTokens = 0;
  private outputTokens = 0;
  private finishReason?: string;
  private stopReason?: string | number | null;
  private usage?: Usage | null;
  private closed = false;

  private constructor(
    private readonly chunks: AsyncGenerator<CompletionChunk[]>,
    private readonly options: DecodeStreamOptions,
  ) {
    this.timings = options.timings;
    this.promptTokens = options.prefilled?.promptTokens;
    this.deltas = this.run();
  }

  /** Ends the upstream call and the clocks; safe to call at any point and more than once. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.clock.clear();
    this.options.total.clear();
    await this.chunks.return(undefined as never).catch(() => undefined);
  }

  /** Reads one network read's worth of chunks; false at the end of the stream. */
  private async read(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done) return false;
    const timings = this.timings;
    const now = this.options.now();
    if (timings.kvHandoffMs === undefined) timings.kvHandoffMs = now - this.options.startedAt;
    for (const chunk of next.value) {
      if (chunk.usage) this.usage = chunk.usage;
      for (const choice of chunk.choices) {
        const text = choice.delta?.content ?? choice.text ?? '';
        if (text) {
          this.pendingText += text;
          this.pendingTokens++;
          this.outputTokens++;
          timings.firstTokenAt ??= now;
          timings.lastTokenAt = now;
        }
        if (choice.finish_reason) {
          this.finishReason = choice.finish_reason;
          this.stopReason = choice.stop_reason;
        }
      }
    }
    if (this.pendingTokens > 0) this.options.clock.arm('the next output token', this.options.route.timeouts.interTokenMs);
    return true;
  }

  private async *run(): AsyncGenerator<Delta, GenerationEnd, undefined> {
    const decodeUrl = this.options.route.config.decode.url;
    try {
      for (;;) {
        if (this.pendingTokens > 0) {
          const delta: Delta = { text: this.pendingText, tokens: this.pendingTokens };
          this.pendingText = '';
          this.pendingTokens = 0;
          yield delta;
        }
        if (!(await this.read())) break;
      }
      if (!this.finishReason) throw new UpstreamFailure('unavailable', 'the decode stream ended without a finish reason', decodeUrl);
      return this.end();
    } catch (error) {
      if (error instanceof BedrockError) throw error;
      throw failureToBedrock(upstreamFailure(error, this.options.clock.signal, decodeUrl, 'decode'));
    } finally {
      await this.close();
    }
  }

  /** How the answer ended, in Bedrock's terms. */
  private end(): GenerationEnd {
    let stopReason: StopReason;
    if (this.finishReason === 'length') stopReason = this.options.prefilled?.cappedByContext ? 'model_context_window_exceeded' : 'max_tokens';
    else if (typeof this.stopReason === 'string' && this.options.stopSequences?.includes(this.stopReason)) stopReason = 'stop_sequence';
    else stopReason = 'end_turn';
    return {
      stopReason,
      // A decode API that sends no usage chunk still has a prompt: the prefill answer counted it.
      inputTokens: this.usage?.prompt_tokens ?? this.promptTokens ?? 0,
      outputTokens: this.usage?.completion_tokens ?? this.outputTokens,
    };
  }
}
