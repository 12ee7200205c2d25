import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { IDecodeEndpoint } from '../decode';
import type { IServerFleet } from '../fleet';
import type { IPrefillEndpoint } from '../prefill';
import type { DecodeScaling } from './decode-scaling';
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
  /**
   * The standard decode tier, whose fleet (if it has one) gets a row: its hosts, and the streams on them.
   * @default - none: no decode fleet row
   */
  readonly decode?: IDecodeEndpoint;
  /**
   * The decode scaling policy, whose target the streams graph shows.
   * @default - none: no target line
   */
  readonly decodeScaling?: DecodeScaling;
}

/**
 * One dashboard for the whole request path: latency the user feels (time to first token, time per
 * output token), where it goes (prefill, KV hand-off), throughput, errors by type, the prefill
 * fleet behind it, and a decode fleet with the streams it carries.
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
        ? hostsGraph('Prefill fleet', prefillFleet)
        : new cloudwatch.TextWidget({ markdown: 'The prefill tier publishes no fleet metrics.', width: 8 }),
    );
    const decodeFleet = props.decode?.fleet;
    if (decodeFleet) {
      const target = props.decodeScaling?.targetStreamsPerHost;
      this.dashboard.addWidgets(
        hostsGraph('Decode fleet', decodeFleet),
        new cloudwatch.GraphWidget({
          title: 'Decode streams per host',
          width: 16,
          left: [
            decodeFleet.metricRunningRequests().with({ label: 'Running (in the batch)' }),
            decodeFleet.metricWaitingRequests().with({ label: 'Waiting (KV pull, or no room in the batch)' }),
          ],
          leftAnnotations: target !== undefined ? [{ value: target, label: `Scaling target (${target})` }] : undefined,
        }),
      );
    }
  }
}

/** A fleet's hosts: in service, passing and failing the load balancer's health check. */
function hostsGraph(title: string, fleet: IServerFleet): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    width: 8,
    left: [
      fleet.metricInServiceInstances().with({ label: 'In service' }),
      fleet.metricHealthyHostCount().with({ label: 'Healthy' }),
      fleet.metricUnhealthyHostCount().with({ label: 'Unhealthy' }),
    ],
  });
}
