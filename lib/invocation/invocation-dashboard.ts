import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { IPrefillEndpoint } from '../prefill';
import type { IInvocationMetrics } from './invocation-metrics';

/** Inputs of the invocation dashboard. */
export interface InvocationDashboardProps {
  /**
   * Name of the dashboard.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
  readonly metrics: IInvocationMetrics;
  /** The model ids clients call the model by; each gets its own line. */
  readonly modelIds: string[];
  /**
   * The prefill tier, whose fleet is charted.
   * @default - none: no fleet graphs
   */
  readonly prefill?: IPrefillEndpoint;
}

/**
 * One dashboard for the whole request path: latency the user feels (time to first token, time per
 * output token), where it goes (prefill, KV hand-off), throughput, errors by type, and the prefill
 * fleet behind it.
 */
export class InvocationDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: InvocationDashboardProps) {
    super(scope, id);
    const { metrics, modelIds } = props;
    const perModel = (
      build: (modelId: string, statistic: string) => cloudwatch.Metric,
      statistics: string[],
    ): cloudwatch.IMetric[] =>
      modelIds.flatMap((modelId) =>
        statistics.map((statistic) => build(modelId, statistic).with({ label: `${modelId} ${statistic}` })),
      );

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Time to first token (ms)',
        width: 12,
        left: perModel((modelId, statistic) => metrics.metricTimeToFirstToken({ modelId, statistic }), ['p50', 'p90', 'p99']),
      }),
      new cloudwatch.GraphWidget({
        title: 'Time per output token (ms)',
        width: 12,
        left: perModel((modelId, statistic) => metrics.metricTimePerOutputToken({ modelId, statistic }), ['p50', 'p90']),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Prefill latency (ms)',
        width: 8,
        left: perModel((modelId, statistic) => metrics.metricPrefillLatency({ modelId, statistic }), ['p50', 'p90']),
      }),
      new cloudwatch.GraphWidget({
        title: 'KV hand-off latency (ms)',
        width: 8,
        left: perModel((modelId, statistic) => metrics.metricKvHandoffLatency({ modelId, statistic }), ['p50', 'p90']),
      }),
      new cloudwatch.GraphWidget({
        title: 'Output tokens per second',
        width: 8,
        left: perModel((modelId, statistic) => metrics.metricOutputTokensPerSecond({ modelId, statistic }), ['Average']),
      }),
    );
    const prefillFleet = props.prefill?.fleet;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests and errors',
        width: 8,
        left: [
          ...perModel((modelId, statistic) => metrics.metricRequests({ modelId, statistic }), ['Sum']),
          ...perModel((modelId, statistic) => metrics.metricErrors({ modelId, statistic }), ['Sum']),
        ],
      }),
      new cloudwatch.GraphWidget({ title: 'Errors by type', width: 8, left: [metrics.metricErrorsByType()] }),
      prefillFleet
        ? new cloudwatch.GraphWidget({
            title: 'Prefill fleet',
            width: 8,
            left: [
              prefillFleet.metricInServiceInstances().with({ label: 'In service' }),
              prefillFleet.metricHealthyHostCount().with({ label: 'Healthy' }),
              prefillFleet.metricUnhealthyHostCount().with({ label: 'Unhealthy' }),
            ],
          })
        : new cloudwatch.TextWidget({ markdown: 'The prefill tier publishes no fleet metrics.', width: 8 }),
    );
  }
}
