/**
 * The router's telemetry contract: one structured log line per request in CloudWatch
 * embedded metric format. The runtime writes these names; the invocation layer's
 * `metricXxx` methods, dashboard and alarms read them. One definition serves both sides.
 */
export const METRIC_NAMESPACE = 'DisaggregatedInference';

/** Dimension carrying the model id the client asked for. */
export const MODEL_ID_DIMENSION = 'ModelId';
/** Dimension carrying the Bedrock error name (e.g. `ThrottlingException`) on error counts. */
export const ERROR_TYPE_DIMENSION = 'ErrorType';

export const METRIC_NAMES = {
  /** Milliseconds from request arrival to the first output token sent. */
  timeToFirstToken: 'TimeToFirstToken',
  /** Mean milliseconds between output tokens after the first. */
  timePerOutputToken: 'TimePerOutputToken',
  /** Milliseconds the prefill stage took. */
  prefillLatency: 'PrefillLatency',
  /** Milliseconds from prefill answer to the decode side holding the KV (or the replayed prompt). */
  kvHandoffLatency: 'KvHandoffLatency',
  /** Output tokens per second of the decode stream. */
  outputTokensPerSecond: 'OutputTokensPerSecond',
  inputTokens: 'InputTokens',
  /** Of the input tokens, those a worker's prefix cache served. */
  cacheReadInputTokens: 'CacheReadInputTokens',
  outputTokens: 'OutputTokens',
  /**
   * 1 per request whose decode worker could not pull the KV (lease expired, prefill worker gone,
   * transfer error) and got the prompt replayed instead.
   */
  kvRecomputes: 'KvRecomputes',
  /** 1 per request. */
  requests: 'Requests',
  /** 1 per failed request, with the error type dimension. */
  errors: 'Errors',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/**
 * Dimension sets of the embedded-metric directives on each request line:
 * every metric per model; errors also per error type, so an alarm can take the model's
 * error total and a dashboard can split it by type.
 */
export const REQUEST_DIMENSION_SETS: ReadonlyArray<ReadonlyArray<string>> = [[MODEL_ID_DIMENSION]];
export const ERROR_DIMENSION_SETS: ReadonlyArray<ReadonlyArray<string>> = [[MODEL_ID_DIMENSION], [ERROR_TYPE_DIMENSION]];
