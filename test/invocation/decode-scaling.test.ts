import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { DefaultApp } from '../../lib/app';
import { DisaggregatedInference } from '../../lib/disaggregated-inference';
import type { IServerFleet } from '../../lib/fleet';
import { FLEET_METRIC_NAMESPACE } from '../../lib/fleet/fleet-telemetry';
import { DecodeAutoScaling, DecodeScaling, InvocationApi } from '../../lib/invocation';
import { defaultApp, testApp } from '../app/test-app';

type Resource = { Properties: Record<string, any> };

/** The target tracking policies of `template`, by the Auto Scaling group they scale. */
function policiesByGroup(template: Template): Map<string, Resource[]> {
  const byGroup = new Map<string, Resource[]>();
  for (const policy of Object.values(template.findResources('AWS::AutoScaling::ScalingPolicy')) as Resource[]) {
    const group = JSON.stringify(policy.Properties.AutoScalingGroupName);
    byGroup.set(group, [...(byGroup.get(group) ?? []), policy]);
  }
  return byGroup;
}

const groupOf = (app: DefaultApp, fleet: IServerFleet) => JSON.stringify(app.stack.resolve(fleet.autoScalingGroup.autoScalingGroupName));

describe('the Trainium decode fleet scales on its own (default app)', () => {
  let app: DefaultApp;
  let template: Template;
  let decode: IServerFleet;
  let prefill: IServerFleet;

  beforeAll(() => {
    app = defaultApp();
    template = Template.fromStack(app.stack);
    decode = app.inference.decodeEndpoint.fleet!;
    prefill = app.inference.prefillFleet!.fleet;
  });

  it('has one target tracking policy on the decode group and another on the prefill group', () => {
    const byGroup = policiesByGroup(template);
    expect(byGroup.get(groupOf(app, decode))).toHaveLength(1);
    expect(byGroup.get(groupOf(app, prefill))).toHaveLength(1);
    expect(groupOf(app, decode)).not.toEqual(groupOf(app, prefill));
  });

  it('aims for 32 decode streams per host: vLLM\'s running plus waiting requests, per host of the decode fleet, after the model load', () => {
    const [policy] = policiesByGroup(template).get(groupOf(app, decode))!;
    const fleetDimension = [{ Name: 'Fleet', Value: app.inference.decodeEndpoint.fleet!.node.path }];
    expect(policy.Properties).toEqual({
      AutoScalingGroupName: app.stack.resolve(decode.autoScalingGroup.autoScalingGroupName),
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: 1800,
      TargetTrackingConfiguration: {
        TargetValue: 32,
        DisableScaleIn: false,
        CustomizedMetricSpecification: {
          Metrics: [
            {
              Id: 'running',
              MetricStat: { Metric: { Namespace: FLEET_METRIC_NAMESPACE, MetricName: 'vllm:num_requests_running', Dimensions: fleetDimension }, Stat: 'Average' },
              ReturnData: false,
            },
            {
              Id: 'waiting',
              MetricStat: { Metric: { Namespace: FLEET_METRIC_NAMESPACE, MetricName: 'vllm:num_requests_waiting', Dimensions: fleetDimension }, Stat: 'Average' },
              ReturnData: false,
            },
            { Id: 'streamsPerHost', Expression: 'running + waiting', Label: 'Decode streams per host (running + waiting)', ReturnData: true },
          ],
        },
      },
    });
  });

  it('the CloudWatch agent on the decode hosts publishes both gauges under the fleet\'s dimension', () => {
    const config = JSON.stringify(template.toJSON());
    for (const gauge of ['vllm:num_requests_running', 'vllm:num_requests_waiting']) expect(config).toContain(`^${gauge}$`);
  });

  it('alarms on unhealthy decode hosts and on decode hosts staying above the target, notifying the topic', () => {
    const alarms = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]).map((a) => a.Properties);
    const unhealthy = alarms.find((a) => /^A decode host has failed/.test(a.AlarmDescription))!;
    expect(unhealthy).toMatchObject({ MetricName: 'UnHealthyHostCount', Statistic: 'Minimum', Period: 300, EvaluationPeriods: 14, Threshold: 0 });
    expect(JSON.stringify(unhealthy.Dimensions)).toContain(JSON.stringify(app.stack.resolve((decode as any).targetGroup.targetGroupFullName)).slice(1, -1));
    const overloaded = alarms.find((a) => /^Decode hosts carried more than 40 streams/.test(a.AlarmDescription))!;
    // The model load (30 minutes) and 10 more, in 5-minute periods, at a quarter above the target.
    expect(overloaded).toMatchObject({ Threshold: 40, EvaluationPeriods: 8, ComparisonOperator: 'GreaterThanThreshold' });
    expect(overloaded.Metrics.find((m: any) => m.ReturnData !== false).Expression).toBe('running + waiting');
    for (const alarm of [unhealthy, overloaded]) expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('gives the decode fleet dashboard rows: its hosts, and its streams per host against the scaling target', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as Resource;
    const body = JSON.stringify(app.stack.resolve(dashboard.Properties.DashboardBody));
    expect(body).toContain('Decode fleet');
    expect(body).toContain('Decode streams per host');
    expect(body).toContain('vllm:num_requests_running');
    expect(body).toContain('Scaling target (32)');
  });
});

describe('decode scaling options', () => {
  const build = (decodeScaling: DecodeAutoScaling) => {
    const stack = new Stack(testApp({ 'aws:cdk:bundling-stacks': [] }), 'Test');
    const inference = new DisaggregatedInference(stack, 'Inference', { invocation: InvocationApi.bedrockRuntime({ decodeScaling }) });
    return { inference, template: Template.fromStack(stack) };
  };

  it('takes its own target, model load time and scale-in setting', () => {
    const { inference, template } = build(DecodeAutoScaling.targetTracking({ targetStreamsPerHost: 48, modelLoadTime: Duration.minutes(20), disableScaleIn: true }));
    expect(inference.invocation!.decodeScaling!.targetStreamsPerHost).toBe(48);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      AutoScalingGroupName: Stack.of(inference).resolve(inference.decodeEndpoint.fleet!.autoScalingGroup.autoScalingGroupName),
      EstimatedInstanceWarmup: 1200,
      TargetTrackingConfiguration: Match.objectLike({ TargetValue: 48, DisableScaleIn: true }),
    });
  });

  it('creates no decode policy and no decode load alarm with `DecodeAutoScaling.none()`, keeping prefill\'s', () => {
    const { inference, template } = build(DecodeAutoScaling.none());
    expect(inference.invocation!.decodeScaling).toBeUndefined();
    expect(inference.invocation!.alarms.decodeOverloaded).toBeUndefined();
    expect(inference.invocation!.alarms.unhealthyDecodeHosts).toBeDefined();
    template.resourceCountIs('AWS::AutoScaling::ScalingPolicy', 1);
  });

  it('refuses a target of no streams, saying what to give', () => {
    const stack = new Stack(testApp({ 'aws:cdk:bundling-stacks': [] }), 'Test');
    const inference = new DisaggregatedInference(stack, 'Inference', { invocation: InvocationApi.none() });
    expect(() => new DecodeScaling(stack, 'Scaling', { fleet: inference.decodeEndpoint.fleet!, targetStreamsPerHost: 0 })).toThrow(
      /targetStreamsPerHost must be above 0, got 0\. Use e\.g\. 32\./,
    );
  });
});
