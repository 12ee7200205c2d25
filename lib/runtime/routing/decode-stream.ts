import { BedrockError } from '../bedrock/errors';
import type { CompletionChunk, CompletionRequest, KvTransferParams, Usage } from '../openai/worker-protocol';
import type { Deadline } from './deadline';
import type { DecodeTier } from './decode-tiers';
import type { FetchFunction } from './fetch-function';
import type { CompletedToolCall, Delta, Generation, GenerationEnd, GenerationTimings, LatencyTier, StopReason } from './generation';
import type { Prefilled } from './prefill-stage';
import type { ModelRoute } from './registry';
import { ToolCallAssembly } from './tool-calls';
import { postStream } from './upstream';
import { failureToBedrock, UpstreamFailure, upstreamFailure } from './upstream-failure';
import type { WorkerCall } from './worker-call';

export interface DecodeStreamOptions {
  readonly fetch: FetchFunction;
  readonly route: ModelRoute;
  /** The decode route this stream runs on, and the tier it serves. */
  readonly tier: DecodeTier;
  /** The tier's decode worker it runs on. */
  readonly decodeUrl: string;
  readonly call: WorkerCall;
  /** The decode endpoint's API key, if it takes one. */
  readonly apiKey?: string;
  /** The request's output budget; the prefill stage's (capped to the context window) wins when there was one. */
  readonly maxTokens: number;
  readonly stopSequences?: readonly string[];
  /** What the prefill stage handed on (the output budget, the prompt's count); none when no prefill ran. */
  readonly prefilled?: Prefilled;
  /** Where the decode worker pulls the prompt's KV from; without, it gets the whole prompt (and computes what it lacks). */
  readonly kvTransferParams?: KvTransferParams;
  /** Runs once when the stream closes, however it ends (the router's count of the worker's streams). */
  readonly onClose?: () => void;
  /** The usage the decode endpoint reported, when it did. */
  readonly onUsage?: (usage: Usage) => void;
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

const NO_TOOL_CALLS: readonly CompletedToolCall[] = [];

/** A delta not yet handed on; the last one may still grow under backpressure. */
type Pending = { kind: Delta['kind']; text: string; tokens: number; index?: number; id?: string; name?: string };

/**
 * Deltas that wait for the client at most; output beyond this many joins the last waiting delta
 * of its kind. 128 events of about 128 bytes fill a socket's buffer (Node's default high-water
 * mark, 16 KiB): a read that brings more chunks than that is a burst the client's socket cannot
 * take at once (`write()` would say to wait for 'drain'), as is what piles up while a client that
 * stopped reading holds the stream back.
 */
const MAX_WAITING_DELTAS = 128;

/**
 * The decode stage of one attempt, and the Generation the router hands out: a streamed
 * completion from the decode endpoint (pulling the KV blocks the prefill stage named, or with
 * the whole prompt). `open` reads up to the first output before it resolves, so failures until
 * then can still retry.
 *
 * Streams stream: every chunk the endpoint sent becomes its own delta (text, reasoning or a piece
 * of a tool call), handed on with the others of its network read, one batch per read. The stream
 * reads when the client asks for more, so a client that stops reading holds the endpoint back
 * (TCP backpressure); only when one read brings more than MAX_WAITING_DELTAS chunks (a burst, or
 * what piled up meanwhile) do the rest join the last delta of their kind, so the client gets
 * fewer, larger events instead of a backlog. Its state changes on every token: plain fields, one
 * object per chunk.
 */
export class DecodeStream implements Generation {
  /** Posts the decode request and reads up to the first output (or the end). */
  public static async open(options: DecodeStreamOptions): Promise<DecodeStream> {
    const { tier, call, prefilled, clock, kvTransferParams } = options;
    // The cache hint is vLLM's to ignore; an endpoint that takes whole prompts (a CS-3's API) may not take it.
    const { prefix_cache_hint: hint, ...body } = call.body;
    const request: CompletionRequest = {
      ...body,
      ...(hint && tier.decode.canIngestKv ? { prefix_cache_hint: hint } : {}),
      model: tier.decode.model,
      max_tokens: prefilled?.maxTokens ?? options.maxTokens,
      stream: true,
      stream_options: { include_usage: true },
      ...(kvTransferParams ? { kv_transfer_params: { ...kvTransferParams, do_remote_prefill: true, do_remote_decode: false } } : {}),
    };
    let chunks: AsyncGenerator<CompletionChunk[]>;
    try {
      chunks = await postStream(options.decodeUrl, call.path, request, { fetch: options.fetch, signal: clock.signal, apiKey: options.apiKey }, 'decode');
    } catch (error) {
      options.onClose?.();
      throw error;
    }
    const stream = new DecodeStream(chunks, options);
    try {
      while (stream.queue.length === 0 && !stream.finishReason && (await stream.read()));
    } catch (error) {
      // Nothing came out: the router may still retry, under the same whole-request clock.
      clock.clear();
      options.onClose?.();
      await chunks.return(undefined as never).catch(() => undefined);
      throw error;
    }
    return stream;
  }

  public readonly timings: GenerationTimings;
  public readonly promptTokens?: number;
  public readonly latency: LatencyTier;
  public readonly deltas: AsyncGenerator<readonly Delta[], GenerationEnd, undefined>;

  /** Deltas read but not yet handed on. */
  private queue: Pending[] = [];
  // How the answer went so far.
  /** Made at the first tool call: most answers have none. */
  private toolCalls: ToolCallAssembly | undefined;
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
    this.latency = options.tier.latency;
    this.deltas = this.run();
  }

  /** Ends the upstream call and the clocks; safe to call at any point and more than once. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose?.();
    this.options.clock.clear();
    this.options.total.clear();
    await this.chunks.return(undefined as never).catch(() => undefined);
  }

  /** Reads one network read's worth of chunks into the queue; false at the end of the stream. */
  private async read(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done) return false;
    this.readChunks(next.value);
    return true;
  }

  private readChunks(chunks: CompletionChunk[]): void {
    const now = this.options.now();
    const timings = this.timings;
    if (timings.kvHandoffMs === undefined) timings.kvHandoffMs = now - this.options.startedAt;
    const before = this.outputTokens;
    for (const chunk of chunks) {
      if (chunk.usage) this.usage = chunk.usage;
      for (const choice of chunk.choices) {
        const delta = choice.delta;
        if (delta) {
          const reasoning = delta.reasoning ?? delta.reasoning_content;
          if (reasoning) this.push('reasoning', reasoning);
          if (delta.content) this.push('text', delta.content);
          if (delta.tool_calls) {
            for (const piece of delta.tool_calls) {
              const call = (this.toolCalls ??= new ToolCallAssembly()).add(piece);
              this.push('toolCall', call.text, call.index, call.id, call.name);
            }
          }
        } else if (choice.text) {
          this.push('text', choice.text);
        }
        if (choice.finish_reason) {
          this.finishReason = choice.finish_reason;
          this.stopReason = choice.stop_reason;
        }
      }
    }
    if (this.outputTokens > before) {
      timings.firstTokenAt ??= now;
      timings.lastTokenAt = now;
      this.options.clock.arm('the next output token', this.options.route.timeouts.interTokenMs);
    }
  }

  /** Queues one chunk's output: its own delta, or, under backpressure, joined to the last waiting one of its kind. */
  private push(kind: Delta['kind'], text: string, index?: number, id?: string, name?: string): void {
    this.outputTokens++;
    const tail = this.queue.length >= MAX_WAITING_DELTAS ? this.queue[this.queue.length - 1] : undefined;
    if (tail && tail.kind === kind && tail.index === index && id === undefined) {
      tail.text += text;
      tail.tokens++;
      return;
    }
    if (kind !== 'toolCall') this.queue.push({ kind, text, tokens: 1 });
    else this.queue.push(id === undefined ? { kind, index, text, tokens: 1 } : { kind, index, id, name, text, tokens: 1 });
  }

  /** The deltas waiting, if any: the client takes them all at once. */
  private take(): readonly Delta[] | undefined {
    if (this.queue.length === 0) return undefined;
    const waiting = this.queue;
    this.queue = [];
    return waiting as Delta[];
  }

  private async *run(): AsyncGenerator<readonly Delta[], GenerationEnd, undefined> {
    const decodeUrl = this.options.decodeUrl;
    try {
      for (;;) {
        const deltas = this.take();
        if (deltas) yield deltas;
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
    const toolCalls = this.toolCalls?.completed() ?? NO_TOOL_CALLS;
    let stopReason: StopReason;
    if (this.finishReason === 'length') stopReason = this.options.prefilled?.cappedByContext ? 'model_context_window_exceeded' : 'max_tokens';
    // vLLM ends a forced call with `stop`, an automatic one with `tool_calls`: the calls themselves say it.
    else if (toolCalls.length > 0) stopReason = toolCalls.every((call) => call.input) ? 'tool_use' : 'malformed_tool_use';
    else if (typeof this.stopReason === 'string' && this.options.stopSequences?.includes(this.stopReason)) stopReason = 'stop_sequence';
    else stopReason = 'end_turn';
    const usage = this.usage;
    if (usage) this.options.onUsage?.(usage);
    // With the KV pulled, what the cache served is the prefill worker's to say (it computed the rest): a vLLM
    // KV consumer counts the pulled tokens as cached too (num_cached_tokens = num_computed_tokens, local and
    // external, vllm/v1/core/sched/scheduler.py).
    const pulled = this.options.kvTransferParams ? this.options.prefilled : undefined;
    const details = usage?.prompt_tokens_details;
    return {
      stopReason,
      // A decode API that sends no usage chunk still has a prompt: the prefill answer counted it.
      inputTokens: usage?.prompt_tokens ?? this.promptTokens ?? 0,
      cachedInputTokens: pulled?.cachedTokens ?? details?.cached_tokens ?? 0,
      cacheWriteInputTokens: pulled?.cacheWriteTokens ?? details?.cache_write_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? this.outputTokens,
      toolCalls,
      latency: this.latency,
    };
  }
}
