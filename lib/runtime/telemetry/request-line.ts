import {
  ERROR_DIMENSION_SETS,
  ERROR_TYPE_DIMENSION,
  METRIC_NAMES,
  METRIC_NAMESPACE,
  MetricName,
  MODEL_ID_DIMENSION,
  REQUEST_DIMENSION_SETS,
} from './schema';
import type { RoutingRecord } from '../routing/generation';

/** What the gateway knows about one finished request. */
export interface RequestRecord {
  readonly requestId: string;
  readonly operation: string;
  /** The model id as the client sent it (decoded); undefined when the path named none or an unknown one. */
  readonly modelId?: string;
  /** `success`, the Bedrock error name, or `ClientAborted`. */
  readonly outcome: string;
  /** The Bedrock error name when the request failed. */
  readonly errorType?: string;
  /** What the client's error message leaves out: the worker that failed and how (addresses included). */
  readonly errorDetail?: string;
  /** The pairs of Converse's `requestMetadata`, for filtering the log by them. */
  readonly requestMetadata?: Readonly<Record<string, string>>;
  /** The latency tier that served the request. */
  readonly latencyTier?: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly inputTokens?: number;
  /** Of the input tokens, those read from a worker's prefix cache. */
  readonly cacheReadInputTokens?: number;
  readonly outputTokens?: number;
  /** How the router routed it (workers, conditional disaggregation, KV recompute). */
  readonly routing?: RoutingRecord;
  readonly prefillMs?: number;
  readonly kvHandoffMs?: number;
  readonly firstTokenAt?: number;
  readonly lastTokenAt?: number;
}

/** An error's detail is cut here: a worker's error body may be long. */
const MAX_DETAIL_CHARS = 2000;

/** Dimension value for requests that named no model this gateway serves: keeps metric cardinality bounded. */
export const UNKNOWN_MODEL = 'unknown';

const UNITS: Record<MetricName, string> = {
  TimeToFirstToken: 'Milliseconds',
  TimePerOutputToken: 'Milliseconds',
  PrefillLatency: 'Milliseconds',
  KvHandoffLatency: 'Milliseconds',
  OutputTokensPerSecond: 'Count/Second',
  InputTokens: 'Count',
  CacheReadInputTokens: 'Count',
  OutputTokens: 'Count',
  KvRecomputes: 'Count',
  Requests: 'Count',
  Errors: 'Count',
};

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * One CloudWatch embedded-metric-format line for a request: the `_aws` directive names the
 * metrics present on this line (absent values are left out rather than logged as zero), the
 * dimensions come from the telemetry contract, and the remaining fields are searchable context.
 */
export function requestLogLine(record: RequestRecord): string {
  const values: Partial<Record<MetricName, number>> = { [METRIC_NAMES.requests]: 1 };
  if (record.inputTokens !== undefined) values.InputTokens = record.inputTokens;
  if (record.cacheReadInputTokens !== undefined) values.CacheReadInputTokens = record.cacheReadInputTokens;
  if (record.routing?.kvRecompute !== undefined) values.KvRecomputes = 1;
  if (record.outputTokens !== undefined) values.OutputTokens = record.outputTokens;
  if (record.prefillMs !== undefined) values.PrefillLatency = round(record.prefillMs);
  if (record.kvHandoffMs !== undefined) values.KvHandoffLatency = round(record.kvHandoffMs);
  if (record.firstTokenAt !== undefined) {
    values.TimeToFirstToken = round(record.firstTokenAt - record.startedAt);
    const tokens = record.outputTokens ?? 0;
    if (record.lastTokenAt !== undefined && tokens > 1) {
      const span = record.lastTokenAt - record.firstTokenAt;
      values.TimePerOutputToken = round(span / (tokens - 1));
      if (span > 0) values.OutputTokensPerSecond = round(((tokens - 1) * 1000) / span);
    }
  }
  const metric = (name: MetricName) => ({ Name: name, Unit: UNITS[name] });
  const directives: object[] = [
    {
      Namespace: METRIC_NAMESPACE,
      Dimensions: REQUEST_DIMENSION_SETS.map((set) => [...set]),
      Metrics: (Object.keys(values) as MetricName[]).map(metric),
    },
  ];
  if (record.errorType) {
    directives.push({
      Namespace: METRIC_NAMESPACE,
      Dimensions: ERROR_DIMENSION_SETS.map((set) => [...set]),
      Metrics: [metric(METRIC_NAMES.errors)],
    });
  }
  const line: Record<string, unknown> = {
    _aws: { Timestamp: record.endedAt, CloudWatchMetrics: directives },
    [MODEL_ID_DIMENSION]: record.modelId ?? UNKNOWN_MODEL,
    ...(record.errorType ? { [ERROR_TYPE_DIMENSION]: record.errorType, [METRIC_NAMES.errors]: 1 } : {}),
    ...values,
    RequestId: record.requestId,
    Operation: record.operation,
    Outcome: record.outcome,
    LatencyMs: Math.round(record.endedAt - record.startedAt),
  };
  if (record.latencyTier) line.LatencyTier = record.latencyTier;
  if (record.routing) Object.assign(line, routingFields(record.routing));
  if (record.requestMetadata) line.RequestMetadata = record.requestMetadata;
  if (record.errorDetail) line.ErrorDetail = record.errorDetail.slice(0, MAX_DETAIL_CHARS);
  return JSON.stringify(line);
}

/** The routing decision as searchable fields: the workers (for the operator; never in a client's message) and the disaggregation taken. */
function routingFields(routing: RoutingRecord): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (routing.prefillWorker) fields.PrefillWorker = routing.prefillWorker;
  if (routing.decodeWorker) fields.DecodeWorker = routing.decodeWorker;
  if (routing.disaggregation) fields.Disaggregation = routing.disaggregation;
  if (routing.uncachedTokens !== undefined) fields.DecodeUncachedTokens = routing.uncachedTokens;
  if (routing.threshold !== undefined) fields.DisaggregationThreshold = routing.threshold;
  if (routing.kvRecompute !== undefined) fields.KvRecompute = routing.kvRecompute.slice(0, MAX_DETAIL_CHARS);
  return fields;
}
