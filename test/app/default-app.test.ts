import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Cs3DecodeEndpoint, TrainiumDecodeFleet } from '../../lib/decode';
import { DEFAULT_APP_CONTEXT_KEYS, DefaultApp, buildDefaultApp } from '../../lib/app';
import { normalizeTemplate } from '../../lib/testing';
import { CAPACITY_BLOCK_CONTEXT, defaultApp, testApp, withCdkEnv } from './test-app';

describe('the default app', () => {
  let app: DefaultApp;
  let template: Template;
  beforeAll(() => {
    app = defaultApp();
    template = Template.fromStack(app.stack);
  });

  test('snapshot (asset hashes normalized)', () => {
    expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
  });

  test('is environment-agnostic without CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION', () => {
    expect(app.stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  test('cdk-nag AwsSolutions leaves no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(app.stack).validateScope(app.stack);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('builds a trn2.48xlarge prefill fleet and a Trainium decode fleet in one placement group', () => {
    expect(app.inference.decodeEndpoint).toBeInstanceOf(TrainiumDecodeFleet);
    template.resourceCountIs('AWS::EC2::PlacementGroup', 1);
    template.resourcePropertiesCountIs('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ InstanceType: 'trn2.48xlarge', Placement: Match.objectLike({ GroupName: Match.anyValue() }) }),
    }, 2);
  });
});

describe('the default app with an environment', () => {
  test('takes account and region from CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION', () => {
    const { stack } = withCdkEnv('111111111111', 'us-east-2', () => buildDefaultApp(testApp()));
    expect(stack.account).toBe('111111111111');
    expect(stack.region).toBe('us-east-2');
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('not known to be offered'));
  });

  test('warns (does not fail) in a region where the type is not known to be offered', () => {
    const { stack } = withCdkEnv('111111111111', 'eu-west-1', () => buildDefaultApp(testApp()));
    Annotations.fromStack(stack).hasWarning(
      '/DisaggregatedInference/Inference/Prefill',
      Match.stringLikeRegexp('trn2.48xlarge is not known to be offered in eu-west-1 \\(known: us-east-2\\)'),
    );
  });
});

describe('the default app reads its context keys', () => {
  test('the keys', () => {
    expect(DEFAULT_APP_CONTEXT_KEYS).toEqual(expect.arrayContaining([
      'prefillInstanceType', 'prefillMinCapacity', 'prefillMaxCapacity', 'decodeEndpointUrl', 'capacityBlockReservationId',
      'capacityBlockStart', 'capacityBlockEnd', 'capacityBlockInstanceCount',
    ]));
  });

  test('prefill type and capacity', () => {
    const { stack } = defaultApp({ prefillInstanceType: 'trn2.3xlarge', prefillMinCapacity: '2', prefillMaxCapacity: '4' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ InstanceType: 'trn2.3xlarge' }) });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '4' });
  });

  test('prefill on a Capacity Block: its reservation in the launch template, zero outside it, scheduled scaling inside it', () => {
    const { stack } = defaultApp({ prefillInstanceType: 'trn2.3xlarge', ...CAPACITY_BLOCK_CONTEXT });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 'trn2.3xlarge',
        InstanceMarketOptions: { MarketType: 'capacity-block' },
        CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: 'cr-0123456789abcdef0' } },
        Placement: Match.absent(),
      }),
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '0', MaxSize: '2' });
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { StartTime: '2030-08-05T11:30:00Z', DesiredCapacity: 2 });
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { StartTime: '2030-08-07T10:50:00Z', DesiredCapacity: 0 });
  });

  test('a CS-3 decode URL replaces the Trainium decode fleet; in prompt replay no prefill fleet and no placement group is built', () => {
    const { stack, inference } = defaultApp({
      decodeEndpointUrl: 'https://api.cerebras.example',
      decodeModelName: 'llama-3.3-70b',
    });
    expect(inference.decodeEndpoint).toBeInstanceOf(Cs3DecodeEndpoint);
    expect(inference.decodeEndpoint.endpointUrl).toBe('https://api.cerebras.example');
    expect(inference.decodeEndpoint.servedModelName).toBe('llama-3.3-70b');
    expect(inference.prefillFleet).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 0);
    template.resourceCountIs('AWS::EC2::PlacementGroup', 0);
  });

  test('a prefill type without disaggregated inference in vllm-neuron (trn1) fails synth naming the types that can', () => {
    expect(() => defaultApp({ prefillInstanceType: 'trn1.32xlarge' })).toThrow(
      /TrainiumPrefillFleet 'DisaggregatedInference\/Inference\/Prefill': instance type 'trn1.32xlarge' cannot run disaggregated prefill\/decode.*Trn2 and Trn3 only.*Use one of trn2.3xlarge, trn2.48xlarge, trn2u.48xlarge/,
    );
  });

  test('prefill keys beside a CS-3 decode URL are an error: no prefill fleet is built to take them', () => {
    expect(() => defaultApp({ decodeEndpointUrl: 'https://cs3.example', capacityBlockReservationId: 'cr-0123456789abcdef0' })).toThrow(
      /Context capacityBlockReservationId configures the prefill fleet, but with decodeEndpointUrl the CS-3 takes the whole prompt \(prompt replay\) and no prefill fleet is built/,
    );
    expect(() => defaultApp({ decodeEndpointUrl: 'https://cs3.example', prefillInstanceType: 'trn2.48xlarge', prefillMinCapacity: 2 })).toThrow(
      /Context prefillInstanceType, prefillMinCapacity configure the prefill fleet/,
    );
  });

  test('apiKeys=true adds the bearer-key endpoint and its table to the outputs; other values are refused', () => {
    const template = Template.fromStack(defaultApp({ mode: 'mock', apiKeys: 'true' }).stack);
    template.hasOutput('ApiKeyUrl', {});
    template.hasOutput('ApiKeyTableName', {});
    expect(Object.keys(Template.fromStack(defaultApp({ mode: 'mock' }).stack).findOutputs('ApiKey*'))).toEqual([]);
    expect(() => defaultApp({ apiKeys: 'yes' })).toThrow(/Context apiKeys='yes' is not true or false; pass e.g. -c apiKeys=true/);
  });

  test('bad context values are errors naming the key and the fix', () => {
    expect(() => defaultApp({ prefillMinCapacity: 'two' })).toThrow(
      /Context prefillMinCapacity='two' is not a whole number of instances; pass e.g. -c prefillMinCapacity=2/,
    );
    expect(() => defaultApp({ ...CAPACITY_BLOCK_CONTEXT, capacityBlockReservationId: '' })).toThrow(/a Capacity Block needs its Capacity Reservation id, got ''/);
    expect(() => defaultApp({ capacityBlockReservationId: 'cr-0123456789abcdef0' })).toThrow(
      /Context capacityBlockReservationId describes a Capacity Block, but capacityBlockStart, capacityBlockEnd, capacityBlockInstanceCount are missing. Pass all four, e.g. -c capacityBlockReservationId=cr-0123456789abcdef0 -c capacityBlockStart=2026-08-05T11:30:00Z/,
    );
    expect(() => defaultApp({ ...CAPACITY_BLOCK_CONTEXT, capacityBlockStart: '2030-08-05 11:30' })).toThrow(
      /Context capacityBlockStart='2030-08-05 11:30' is not an ISO 8601 UTC time; pass e.g. -c capacityBlockStart=2026-08-05T11:30:00Z/,
    );
    expect(() => defaultApp({ ...CAPACITY_BLOCK_CONTEXT, capacityBlockInstanceCount: 'all' })).toThrow(/Context capacityBlockInstanceCount='all' is not a whole number/);
    expect(() => defaultApp({ decodeEndpointUrl: 'http://cs3.example' })).toThrow(/url 'http:\/\/cs3.example' is not https/);
    expect(() => defaultApp({ prefillMinCapacity: 3, prefillMaxCapacity: 1 })).toThrow(/minCapacity 3 is above maxCapacity 1/);
    expect(() => defaultApp({ decodeModelName: 'llama-3.3-70b' })).toThrow(
      /Context decodeModelName='llama-3.3-70b' names the model of a CS-3 endpoint, but no decodeEndpointUrl was given.*Pass -c decodeEndpointUrl=https:\/\/\.\.\. too, or drop decodeModelName/,
    );
  });
});
