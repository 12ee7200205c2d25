import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { IDecodeEndpoint } from '../decode';
import type { IServerFleet } from '../fleet';
import type { IPrefillEndpoint } from '../prefill';
import { createAlarmTopic } from './alarm-topic';
import type { DecodeScaling } from './decode-scaling';
import type { IInvocationMetrics } from './invocation-metrics';

/** Inputs of the invocation alarms. */
export interface InvocationAlarmsProps {
  readonly metrics: IInvocationMetrics;
  /** The model ids clients call the model by. */
  readonly modelIds: string[];
  /**
   * The prefill tier, whose fleet's health is alarmed on.
   * @default - none: no prefill host alarm
   */
  readonly prefill?: IPrefillEndpoint;
  /**
   * The standard decode tier, whose fleet's health is alarmed on.
   * @default - none: no decode host alarm
   */
  readonly decode?: IDecodeEndpoint;
  /**
   * The decode scaling policy, whose target the decode load alarm compares with.
   * @default - none: no decode load alarm
   */
  readonly decodeScaling?: DecodeScaling;
  /** p90 time to first token above which the latency alarm fires. */
  readonly timeToFirstTokenTarget: Duration;
  /** Failed requests, in percent, above which the error alarm fires. */
  readonly errorRatePercentThreshold: number;
  /**
   * Topic every alarm notifies.
   *
   * @default - a new KMS-encrypted, TLS-only topic (`Topic`)
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The alarms an operator needs first: users wait too long for the first token, requests fail,
 * prefill or decode hosts are unhealthy, decode hosts stay loaded past their scaling target. Each
 * covers every id the model is called by.
 */
export class InvocationAlarms extends Construct {
  /** The topic every alarm notifies: the one given, or the one created. Subscribe to it to be told. */
  public readonly topic: sns.ITopic;
  public readonly timeToFirstToken: cloudwatch.Alarm;
  public readonly errorRate: cloudwatch.Alarm;
  /** Absent when there is no prefill server fleet (mock mode, a CS-3 taking whole prompts). */
  public readonly unhealthyPrefillHosts?: cloudwatch.Alarm;
  /** Absent when the standard decode tier is no server fleet (a CS-3, mock mode). */
  public readonly unhealthyDecodeHosts?: cloudwatch.Alarm;
  /** Decode streams per host above the scaling target for longer than a scale-out takes; absent without decode scaling. */
  public readonly decodeOverloaded?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: InvocationAlarmsProps) {
    super(scope, id);
    const { metrics, modelIds } = props;
    if (!(props.errorRatePercentThreshold > 0 && props.errorRatePercentThreshold <= 100)) {
      throw new Error(
        `BedrockInvocationLayer: errorRatePercentThreshold is ${props.errorRatePercentThreshold}; give a percentage above 0 and at most 100, e.g. 5.`,
      );
    }
    const keyed = (build: (modelId: string) => cloudwatch.IMetric) =>
      Object.fromEntries(modelIds.map((modelId, i) => [`m${i}`, build(modelId)]));
    const fill = (ids: string[]) => ids.map((k) => `FILL(${k}, 0)`).join(' + ');

    const ttft = keyed((modelId) => metrics.metricTimeToFirstToken({ modelId, statistic: 'p90' }));
    this.timeToFirstToken = new cloudwatch.MathExpression({
      expression: modelIds.length === 1 ? 'm0' : `MAX([${Object.keys(ttft).join(', ')}])`,
      usingMetrics: ttft,
      label: 'Time to first token p90 (ms), slowest model id',
      period: Duration.minutes(1),
    }).createAlarm(this, 'TimeToFirstToken', {
      alarmDescription: `Time to first token p90 above ${props.timeToFirstTokenTarget.toHumanString()} for 3 of 5 minutes`,
      threshold: props.timeToFirstTokenTarget.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const requests = keyed((modelId) => metrics.metricRequests({ modelId }));
    const errors = Object.fromEntries(
      modelIds.map((modelId, i) => [`e${i}`, metrics.metricErrors({ modelId })]),
    );
    this.errorRate = new cloudwatch.MathExpression({
      // With no requests the ratio has no value, which counts as not breaching.
      expression: `100 * (${fill(Object.keys(errors))}) / (${fill(Object.keys(requests))})`,
      usingMetrics: { ...requests, ...errors },
      label: 'Failed requests (%)',
      period: Duration.minutes(1),
    }).createAlarm(this, 'ErrorRate', {
      alarmDescription: `More than ${props.errorRatePercentThreshold}% of requests failed for 3 of 5 minutes`,
      threshold: props.errorRatePercentThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.unhealthyPrefillHosts = props.prefill?.fleet && unhealthyHostsAlarm(this, 'UnhealthyPrefillHosts', 'prefill', props.prefill.fleet);
    this.unhealthyDecodeHosts = props.decode?.fleet && unhealthyHostsAlarm(this, 'UnhealthyDecodeHosts', 'decode', props.decode.fleet);
    if (props.decodeScaling) this.decodeOverloaded = decodeOverloadedAlarm(this, props.decodeScaling);

    // Every alarm has an action (AWS Control Tower's CT.CLOUDWATCH.PR.1): an alarm nobody hears
    // of protects nothing.
    this.topic = props.alarmTopic ?? createAlarmTopic(this);
    const action = new cloudwatchActions.SnsAction(this.topic);
    for (const alarm of [this.timeToFirstToken, this.errorRate, this.unhealthyPrefillHosts, this.unhealthyDecodeHosts, this.decodeOverloaded]) {
      alarm?.addAlarmAction(action);
    }
  }
}

/**
 * A host still failing the health check after its model load: a new host fails it for its whole
 * load (up to the grace period), so the alarm fires only on a host unhealthy in every 5-minute period
 * from then on.
 */
function unhealthyHostsAlarm(scope: Construct, id: string, tier: string, fleet: IServerFleet): cloudwatch.Alarm {
  const period = Duration.minutes(5);
  const grace = fleet.healthCheckGracePeriod;
  const window = Duration.minutes(grace.toMinutes({ integral: false }) + 10);
  return fleet.metricUnhealthyHostCount({ statistic: 'Minimum', period }).createAlarm(scope, id, {
    alarmDescription: `A ${tier} host has failed the load balancer health check for ${window.toHumanString()}, longer than the model-load grace period (${grace.toHumanString()})`,
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: Math.ceil(window.toMinutes({ integral: false }) / period.toMinutes()),
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * Decode hosts carrying a quarter more streams than the scaling target for longer than a scale-out
 * takes to serve (the model load and 10 minutes): the group is at its maximum, or cannot launch, and
 * time per output token grows with every stream added to the batch.
 */
function decodeOverloadedAlarm(scope: Construct, scaling: DecodeScaling): cloudwatch.Alarm {
  const period = Duration.minutes(5);
  const window = Duration.minutes(scaling.modelLoadTime.toMinutes({ integral: false }) + 10);
  const threshold = scaling.targetStreamsPerHost * 1.25;
  return scaling.metricStreamsPerHost(period).createAlarm(scope, 'DecodeOverloaded', {
    alarmDescription: `Decode hosts carried more than ${threshold} streams each (scaling target ${scaling.targetStreamsPerHost}) for ${window.toHumanString()}, longer than a scale-out takes: raise the decode fleet's maximum capacity`,
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: Math.ceil(window.toMinutes({ integral: false }) / period.toMinutes()),
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
