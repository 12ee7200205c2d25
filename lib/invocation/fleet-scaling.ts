import { Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { FleetScalingOptions } from './fleet-scaling-options';

/** A target tracking policy's inputs: the load figure per host, as metric queries the last of which returns it. */
export interface TargetTrackingProps extends FleetScalingOptions {
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The per-host load figure the group aims to hold. */
  readonly targetValue: number;
  /** The queries: metrics (`returnData: false`) and the one expression that returns the figure. */
  readonly metrics: autoscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty[];
}

/** Target tracking on a per-host load figure computed by metric math (`Resource` in `scope`). */
export function createTargetTrackingPolicy(scope: Construct, props: TargetTrackingProps): autoscaling.CfnScalingPolicy {
  return new autoscaling.CfnScalingPolicy(scope, 'Resource', {
    autoScalingGroupName: props.autoScalingGroup.autoScalingGroupName,
    policyType: 'TargetTrackingScaling',
    estimatedInstanceWarmup: (props.modelLoadTime ?? Duration.minutes(30)).toSeconds(),
    targetTrackingConfiguration: {
      targetValue: props.targetValue,
      disableScaleIn: props.disableScaleIn ?? false,
      customizedMetricSpecification: { metrics: props.metrics },
    },
  });
}

/** A metric as a target tracking query's `metricStat`, with the statistic the policy reads. */
export function metricStat(metric: cloudwatch.Metric, stat: string): autoscaling.CfnScalingPolicy.TargetTrackingMetricStatProperty {
  const config = metric.toMetricConfig().metricStat!;
  return {
    metric: {
      namespace: config.namespace,
      metricName: config.metricName,
      dimensions: (config.dimensions ?? []).map((d) => ({ name: d.name, value: String(d.value) })),
    },
    stat,
  };
}
