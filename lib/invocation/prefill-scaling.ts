import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { createTargetTrackingPolicy, metricStat } from './fleet-scaling';
import type { FleetScalingOptions } from './fleet-scaling-options';

/** How the prefill group follows its load. */
export interface PrefillScalingOptions extends FleetScalingOptions {
  /**
   * In-flight prefill requests per healthy prefill host the group aims for. A trn2.48xlarge
   * batches several prompts per prefill step; past this many, time to first token grows.
   *
   * @default 8
   */
  readonly targetInFlightPerHost?: number;
}

/** Whether and how the invocation layer scales the prefill group on prefill load. */
export class PrefillAutoScaling {
  /**
   * Target tracking on in-flight prefill requests per healthy host, from the router's telemetry
   * (see {@link PrefillScaling}).
   */
  public static targetTracking(options: PrefillScalingOptions = {}): PrefillAutoScaling {
    return new PrefillAutoScaling(options);
  }

  /** Leave the group's capacity alone (scale it by hand, on a schedule, or with a policy of your own). */
  public static none(): PrefillAutoScaling {
    return new PrefillAutoScaling(undefined);
  }

  private constructor(
    /** The target tracking settings; absent for `PrefillAutoScaling.none()`. */
    public readonly targetTrackingOptions?: PrefillScalingOptions,
  ) {}
}

/** Inputs of the scaling policy. */
export interface PrefillScalingProps extends PrefillScalingOptions {
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The router's prefill latency sum, one metric per model id clients use. */
  readonly prefillLatencySums: cloudwatch.Metric[];
  /** Healthy prefill hosts behind the load balancer. */
  readonly healthyHosts: cloudwatch.Metric;
}

/**
 * Target tracking on in-flight prefill requests per healthy host, computed from the router's own
 * telemetry by Little's law: the sum of prefill latencies (ms) over a 60 s period divided by
 * 60,000 ms is the time-averaged number of prefill requests in flight; divided by healthy hosts it
 * is the load per host. It counts requests where they wait (the router), unlike load balancer flow
 * counts, which see pooled keep-alive connections rather than requests.
 */
export class PrefillScaling extends Construct {
  public readonly policy: autoscaling.CfnScalingPolicy;

  constructor(scope: Construct, id: string, props: PrefillScalingProps) {
    super(scope, id);
    const target = props.targetInFlightPerHost ?? 8;
    if (!(target > 0)) {
      throw new Error(`PrefillScaling: targetInFlightPerHost must be above 0, got ${target}. Use e.g. 8.`);
    }
    const periodSeconds = 60;
    const latencyIds = props.prefillLatencySums.map((_, i) => `latency${i}`);
    const inFlight = `(${latencyIds.map((m) => `FILL(${m}, 0)`).join(' + ')}) / ${periodSeconds * 1000}`;

    this.policy = createTargetTrackingPolicy(this, {
      ...props,
      targetValue: target,
      metrics: [
        ...props.prefillLatencySums.map((metric, i) => ({
          id: latencyIds[i],
          metricStat: metricStat(metric, 'Sum'),
          returnData: false,
        })),
        { id: 'hosts', metricStat: metricStat(props.healthyHosts, 'Average'), returnData: false },
        {
          id: 'inFlightPerHost',
          expression: `${inFlight} / hosts`,
          label: 'In-flight prefill requests per healthy host',
          returnData: true,
        },
      ],
    });
  }
}
