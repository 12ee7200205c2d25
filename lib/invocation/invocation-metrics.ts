import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  ERROR_TYPE_DIMENSION,
  METRIC_NAMESPACE,
  METRIC_NAMES,
  MODEL_ID_DIMENSION,
  type MetricName,
} from '../runtime/telemetry/schema';

/** Options for one of the router's metrics. */
export interface InvocationMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The model id, as clients send it, whose figures to read.
   *
   * @default - the first model id the invocation layer serves
   */
  readonly modelId?: string;
}

/** Options for the router's error count. */
export interface InvocationErrorMetricOptions extends InvocationMetricOptions {
  /**
   * A Bedrock error name (e.g. `ThrottlingException`): count only errors of that type, across
   * model ids (the router records the per-type count without the model dimension).
   *
   * @default - every error of the model id
   */
  readonly errorType?: string;
}

/** The router's metrics, per model id: what the invocation layer's dashboard, alarms and scaling read. */
export interface IInvocationMetrics {
  /** Any metric of the router's request line (a value of the telemetry contract's `METRIC_NAMES`), per model id. */
  metric(metricName: MetricName, options?: InvocationMetricOptions): cloudwatch.Metric;
  /** Milliseconds from request to first output token (p90 unless `statistic` is given). */
  metricTimeToFirstToken(options?: InvocationMetricOptions): cloudwatch.Metric;
  /** Mean milliseconds per output token after the first (p90 unless `statistic` is given). */
  metricTimePerOutputToken(options?: InvocationMetricOptions): cloudwatch.Metric;
  /** Milliseconds of the prefill stage (p90 unless `statistic` is given). */
  metricPrefillLatency(options?: InvocationMetricOptions): cloudwatch.Metric;
  /** Milliseconds of the KV hand-off or prompt replay (p90 unless `statistic` is given). */
  metricKvHandoffLatency(options?: InvocationMetricOptions): cloudwatch.Metric;
  /** Output tokens per second of the decode stream (average unless `statistic` is given). */
  metricOutputTokensPerSecond(options?: InvocationMetricOptions): cloudwatch.Metric;
  /** Requests per period (sum unless `statistic` is given). */
  metricRequests(options?: InvocationMetricOptions): cloudwatch.Metric;
  /**
   * Requests per period whose decode worker could not pull the KV and got the prompt replayed
   * instead (sum unless `statistic` is given).
   */
  metricKvRecomputes(options?: InvocationMetricOptions): cloudwatch.Metric;
  /**
   * Failed requests per period (sum unless `statistic` is given): of one Bedrock error type (e.g.
   * `ThrottlingException`) when `errorType` is given, else the model's total.
   */
  metricErrors(options?: InvocationErrorMetricOptions): cloudwatch.Metric;
  /** Every error type the router has recorded, one line each (a CloudWatch SEARCH expression). */
  metricErrorsByType(period?: Duration): cloudwatch.MathExpression;
}

/**
 * The metric methods of the invocation layer, in one place: `cloudwatch.Metric`s for the router's
 * embedded-metric log line. The names, namespace and dimensions come from the telemetry contract
 * the runtime writes with, so the two cannot drift.
 */
export abstract class InvocationMetricsBase extends Construct implements IInvocationMetrics {
  /** The model id a metric reads when its options name none. */
  protected abstract readonly defaultModelId: string;

  public metric(metricName: MetricName, options: InvocationMetricOptions = {}): cloudwatch.Metric {
    const { modelId, ...rest } = options;
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      period: Duration.minutes(1),
      ...rest,
      dimensionsMap: { [MODEL_ID_DIMENSION]: modelId ?? this.defaultModelId, ...rest.dimensionsMap },
    });
  }

  public metricTimeToFirstToken(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.timeToFirstToken, { statistic: 'p90', ...options });
  }

  public metricTimePerOutputToken(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.timePerOutputToken, { statistic: 'p90', ...options });
  }

  public metricPrefillLatency(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.prefillLatency, { statistic: 'p90', ...options });
  }

  public metricKvHandoffLatency(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.kvHandoffLatency, { statistic: 'p90', ...options });
  }

  public metricOutputTokensPerSecond(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.outputTokensPerSecond, { statistic: 'Average', ...options });
  }

  public metricRequests(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.requests, { statistic: 'Sum', ...options });
  }

  public metricKvRecomputes(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.kvRecomputes, { statistic: 'Sum', ...options });
  }

  /**
   * With `errorType` it reads the per-type count, which the router records without the model
   * dimension (see `ERROR_DIMENSION_SETS`); without it, the model's total.
   */
  public metricErrors(options: InvocationErrorMetricOptions = {}): cloudwatch.Metric {
    const { errorType, ...rest } = options;
    if (errorType === undefined) {
      return this.metric(METRIC_NAMES.errors, { statistic: 'Sum', ...rest });
    }
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: METRIC_NAMES.errors,
      period: Duration.minutes(1),
      statistic: 'Sum',
      ...rest,
      dimensionsMap: { [ERROR_TYPE_DIMENSION]: errorType },
    });
  }

  /** A SEARCH, so the dashboard shows error types nobody listed in advance. */
  public metricErrorsByType(period: Duration = Duration.minutes(1)): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRIC_NAMESPACE},${ERROR_TYPE_DIMENSION}} MetricName="${METRIC_NAMES.errors}"', 'Sum', ${period.toSeconds()})`,
      usingMetrics: {},
      label: 'Errors by type',
      period,
    });
  }
}
