import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
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

/**
 * Builds `cloudwatch.Metric`s for the router's embedded-metric log line. The names, namespace and
 * dimensions come from the telemetry contract the runtime writes with, so the two cannot drift.
 */
export class InvocationMetrics {
  constructor(private readonly defaultModelId: string) {}

  /** A metric of the router's request line, per model id. */
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

  /** Milliseconds to the first output token; p90 unless `statistic` says otherwise. */
  public timeToFirstToken(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.timeToFirstToken, { statistic: 'p90', ...options });
  }

  /** Mean milliseconds between output tokens; p90 by default. */
  public timePerOutputToken(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.timePerOutputToken, { statistic: 'p90', ...options });
  }

  /** Milliseconds the prefill stage took; p90 by default. */
  public prefillLatency(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.prefillLatency, { statistic: 'p90', ...options });
  }

  /** Milliseconds of the KV hand-off (or prompt replay); p90 by default. */
  public kvHandoffLatency(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.kvHandoffLatency, { statistic: 'p90', ...options });
  }

  /** Output tokens per second of the decode stream; average by default. */
  public outputTokensPerSecond(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.outputTokensPerSecond, { statistic: 'Average', ...options });
  }

  /** Requests per period; sum by default. */
  public requests(options: InvocationMetricOptions = {}): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.requests, { statistic: 'Sum', ...options });
  }

  /**
   * Failed requests per period; sum by default. With `errorType` (a Bedrock error name such as
   * `ThrottlingException`) it reads the per-type count, which the router records without the model
   * dimension (see `ERROR_DIMENSION_SETS`); without it, the model's total.
   */
  public errors(options: InvocationErrorMetricOptions = {}): cloudwatch.Metric {
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

  /**
   * Every error type the router has recorded, one line each: a CloudWatch SEARCH, so the dashboard
   * shows error types nobody listed in advance.
   */
  public errorsByTypeSearch(period: Duration = Duration.minutes(1)): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRIC_NAMESPACE},${ERROR_TYPE_DIMENSION}} MetricName="${METRIC_NAMES.errors}"', 'Sum', ${period.toSeconds()})`,
      usingMetrics: {},
      label: 'Errors by type',
      period,
    });
  }
}
