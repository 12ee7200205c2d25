import { randomUUID } from 'node:crypto';
import type { Generation, GenerationEnd, RoutingRecord } from '../routing/generation';
import type { RequestRecord } from '../telemetry/request-line';
import type { BedrockError } from './errors';

/**
 * What the gateway learns about one request while it runs (its operation, model, generation,
 * how it ended), filled in by the gateway and the operation answering it, and written to the
 * telemetry sink as one record when it ends.
 */
export class RequestTrace {
  public readonly requestId = randomUUID();
  public readonly startedAt = Date.now();
  public operation = 'Unknown';
  public modelId?: string;
  public generation?: Generation;
  public end?: GenerationEnd;
  public error?: BedrockError;
  /** Converse's `requestMetadata`, for the log line. */
  public requestMetadata?: Readonly<Record<string, string>>;
  /** How the router routed the request; it fills this in. */
  public readonly routing: RoutingRecord = {};

  constructor(private readonly signal: AbortSignal) {}

  public record(): RequestRecord {
    const timings = this.generation?.timings ?? {};
    const aborted = this.signal.aborted && !this.error && !this.end;
    return {
      requestId: this.requestId,
      operation: this.operation,
      modelId: this.modelId,
      outcome: this.error ? this.error.type.name : aborted ? 'ClientAborted' : 'success',
      errorType: this.error?.type.name,
      startedAt: this.startedAt,
      endedAt: Date.now(),
      errorDetail: this.error?.detail,
      requestMetadata: this.requestMetadata,
      latencyTier: this.generation?.latency,
      inputTokens: this.end?.inputTokens,
      cacheReadInputTokens: this.end?.cachedInputTokens,
      routing: Object.keys(this.routing).length > 0 ? this.routing : undefined,
      outputTokens: this.end?.outputTokens,
      prefillMs: timings.prefillMs,
      kvHandoffMs: timings.kvHandoffMs,
      firstTokenAt: timings.firstTokenAt,
      lastTokenAt: timings.lastTokenAt,
    };
  }
}
