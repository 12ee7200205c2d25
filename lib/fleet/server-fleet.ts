import type { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { IConstruct } from 'constructs';

/**
 * A fleet's hosts as a router that picks them itself sees them (rather than one load balancer):
 * which are healthy, and how to reach each. The deployed router discovers them from the target group.
 */
export interface FleetHosts {
  /**
   * ARN of the target group the hosts are registered in (as instances), whose health check
   * (`/health`) says which of them serve.
   */
  readonly targetGroupArn: string;
  /** Port of the server on every host. */
  readonly port: number;
  /** Network reachability of the hosts themselves (their own security group), on the server port. */
  readonly connections: ec2.Connections;
}

/**
 * A fleet of inference servers in an Auto Scaling group behind a load balancer with a health
 * check: what the invocation layer scales on load, alarms on, charts, and routes to host by host.
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
  /**
   * The hosts themselves, for a router that routes to them directly (the load balancer stays as
   * their health check and as the fallback address).
   * @default - none: the router calls the load balancer
   */
  readonly hosts?: FleetHosts;
  /** Instances in service in the group. */
  metricInServiceInstances(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /**
   * Requests in the servers' running batches (vLLM's `vllm:num_requests_running`), averaged over the
   * hosts that report it unless `statistic` says otherwise: for a decode fleet, its streams per host.
   */
  metricRunningRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests queued on the servers (vLLM's `vllm:num_requests_waiting`), averaged over the hosts unless `statistic` says otherwise. */
  metricWaitingRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}
