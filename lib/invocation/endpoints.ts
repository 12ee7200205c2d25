import type { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What the invocation layer needs from a prefill tier. `TrainiumPrefillFleet` satisfies it, and so
 * does the mock prefill worker of mock mode; the optional members say what a tier can offer beyond
 * an address (network reachability, access grants, health metrics, an Auto Scaling group to scale).
 */
export interface IPrefillEndpoint {
  /** Base URL (scheme://host:port) of the OpenAI-compatible server the router calls. */
  readonly endpointUrl: string;
  /** The `model` name the prefill workers serve. */
  readonly servedModelName: string;
  /**
   * Longest sequence (prompt plus output tokens) the servers accept, when they are started with a
   * limit (vLLM's `--max-model-len`); the router's context window is kept within it.
   */
  readonly maxModelLength?: number;
  /** The load balancer port; with `connections`, what the router's security group may reach. */
  readonly port?: number;
  /** Network reachability of the tier's front door (its load balancer), when it lives in a VPC. */
  readonly connections?: ec2.Connections;
  /** The group to scale on prefill load, when the tier is an Auto Scaling group. */
  readonly autoScalingGroup?: autoscaling.IAutoScalingGroup;
  /** Grants a caller what it needs to call the tier beyond the network (e.g. a function URL). */
  grantInvoke?(grantee: iam.IGrantable): iam.Grant;
  /**
   * How long a new host may fail the health check while its model loads; the unhealthy-host
   * alarm waits past it so that a scale-out does not page anyone.
   * @default - no grace period
   */
  readonly healthCheckGracePeriod?: Duration;
  /** Hosts passing the load balancer's health check. */
  metricHealthyHostCount?(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Hosts failing the load balancer's health check. */
  metricUnhealthyHostCount?(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Instances in service in the group. */
  metricInServiceInstances?(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}
