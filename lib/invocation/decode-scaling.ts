import { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { IServerFleet } from '../fleet';
import { createTargetTrackingPolicy, metricStat } from './fleet-scaling';
import type { FleetScalingOptions } from './fleet-scaling-options';

/** How the decode group follows its load. */
export interface DecodeScalingOptions extends FleetScalingOptions {
  /**
   * Decode streams per host the group aims for: the requests in each host's running batch plus
   * those waiting for a place in it (vLLM's `num_requests_running` and `num_requests_waiting`, which
   * the CloudWatch agent scrapes from every host). A decode step reads the weights once for the
   * whole batch and each stream's KV, so a larger batch raises throughput and time per output token
   * together. With 4k-token contexts, the planner's step time for Llama 3.3 70B on a trn2.48xlarge
   * is 30.5 ms at 32 streams, 1.5x a lone stream's 20.1 ms, and 41 ms at 64 (lib/planning,
   * `TrainiumReplica.decodeStepMs`); vLLM's own batch limit is 256 (`max_num_seqs`).
   *
   * @default 32
   */
  readonly targetStreamsPerHost?: number;
}

/** Whether and how the invocation layer scales the decode group on decode load. */
export class DecodeAutoScaling {
  /** Target tracking on decode streams per host, from the fleet's vLLM metrics (see {@link DecodeScaling}). */
  public static targetTracking(options: DecodeScalingOptions = {}): DecodeAutoScaling {
    return new DecodeAutoScaling(options);
  }

  /** Leave the group's capacity alone (scale it by hand, on a schedule, or with a policy of your own). */
  public static none(): DecodeAutoScaling {
    return new DecodeAutoScaling(undefined);
  }

  private constructor(
    /** The target tracking settings; absent for `DecodeAutoScaling.none()`. */
    public readonly targetTrackingOptions?: DecodeScalingOptions,
  ) {}
}

/** Inputs of the decode scaling policy. */
export interface DecodeScalingProps extends DecodeScalingOptions {
  /** The decode fleet: its group, and its hosts' vLLM gauges. */
  readonly fleet: IServerFleet;
}

/**
 * Target tracking on decode streams per host, independent of prefill's: the hosts' own count of the
 * sequences they decode or are about to (vLLM's running and waiting requests, averaged over the hosts
 * that report them, a host still loading its model reporting none). Prefill load says nothing about
 * decode's: a long prompt is one short prefill and a long stream, an agent's turn a long prefill and
 * a few hundred tokens.
 */
export class DecodeScaling extends Construct {
  public readonly policy: autoscaling.CfnScalingPolicy;
  /** The streams per host the policy aims for. */
  public readonly targetStreamsPerHost: number;
  /** How long a scale-out takes to serve. */
  public readonly modelLoadTime: Duration;
  private readonly fleet: IServerFleet;

  constructor(scope: Construct, id: string, props: DecodeScalingProps) {
    super(scope, id);
    const target = props.targetStreamsPerHost ?? 32;
    if (!(target > 0)) {
      throw new Error(`DecodeScaling: targetStreamsPerHost must be above 0, got ${target}. Use e.g. 32.`);
    }
    this.targetStreamsPerHost = target;
    this.modelLoadTime = props.modelLoadTime ?? Duration.minutes(30);
    this.fleet = props.fleet;
    this.policy = createTargetTrackingPolicy(this, {
      ...props,
      modelLoadTime: this.modelLoadTime,
      autoScalingGroup: props.fleet.autoScalingGroup,
      targetValue: target,
      metrics: [
        // No FILL: a host reports its gauges every minute, even at zero; no data means no scrape,
        // which must not read as an idle fleet to scale in.
        { id: 'running', metricStat: metricStat(props.fleet.metricRunningRequests(), 'Average'), returnData: false },
        { id: 'waiting', metricStat: metricStat(props.fleet.metricWaitingRequests(), 'Average'), returnData: false },
        { id: 'streamsPerHost', expression: 'running + waiting', label: STREAMS_PER_HOST, returnData: true },
      ],
    });
  }

  /** Decode streams per host, as the policy reads them. */
  public metricStreamsPerHost(period: Duration = Duration.minutes(1)): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'running + waiting',
      usingMetrics: { running: this.fleet.metricRunningRequests({ period }), waiting: this.fleet.metricWaitingRequests({ period }) },
      label: STREAMS_PER_HOST,
      period,
    });
  }
}

const STREAMS_PER_HOST = 'Decode streams per host (running + waiting)';
