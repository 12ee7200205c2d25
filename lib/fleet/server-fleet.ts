import type { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';

/**
 * A fleet of inference servers in an Auto Scaling group behind a load balancer with a health
 * check: what the invocation layer scales on prefill load, alarms on and charts.
 * `TrainiumServerFleet` (both Trainium fleets) implements it.
 */
export interface IServerFleet extends IConstruct {
  /** The group to scale. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /**
   * How long a new host may fail the health check while its model loads; the unhealthy-host
   * alarm waits past it so that a scale-out does not page anyone.
   */
  readonly healthCheckGracePeriod: Duration;
  /** Hosts passing the load balancer's health check. */
  metricHealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Hosts failing the load balancer's health check. */
  metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Instances in service in the group. */
  metricInServiceInstances(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}
