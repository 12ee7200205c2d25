import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ApiEndpointType, BedrockInvocationLayer, PrefillAutoScaling } from '../../lib/invocation';
import type { IPrefillEndpoint } from '../../lib/prefill';
import { BedrockOperation } from '../../lib/runtime/bedrock/operations';
import { REGISTRY_ENV_VAR } from '../../lib/runtime/lambda/environment';
import { METRIC_NAMESPACE, METRIC_NAMES, MODEL_ID_DIMENSION, ERROR_TYPE_DIMENSION } from '../../lib/runtime/telemetry/schema';
import { buildTestTiers, TEST_MODEL, type TestTiers } from './doubles';
import { appWithNag, nagFindings } from './nag';
import { routerRegistry } from './router-registry';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

// One synthesized stack shared by the template assertions (bundling runs once).
let tiers: TestTiers;
let layer: BedrockInvocationLayer;
let template: Template;
let caller: iam.Role;

beforeAll(() => {
  // Bundling is proven once in test/lambda; here it would only slow the template assertions down.
  ({ tiers, layer, caller } = buildLayer(new App({ context: SKIP_BUNDLING })));
  template = Template.fromStack(tiers.stack);
});

function buildLayer(app: App) {
  const t = buildTestTiers(app);
  const l = new BedrockInvocationLayer(t.stack, 'Invocation', {
    prefill: t.prefill,
    decode: t.decode,
    vpc: t.vpc,
    ...TEST_MODEL,
    alarmTopic: new sns.Topic(t.stack, 'Alarms', { enforceSSL: true }),
  });
  const c = new iam.Role(t.stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  l.grantInvoke(c);
  return { tiers: t, layer: l, caller: c };
}

function methods() {
  return Object.values(template.findResources('AWS::ApiGateway::Method')) as { Properties: Record<string, any> }[];
}

function resourcePathOf(method: { Properties: Record<string, any> }): string {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  return resources[method.Properties.ResourceId.Ref].Properties.PathPart;
}

/** A method's whole path, from the resources' path parts. */
function fullPathOf(method: { Properties: Record<string, any> }): string {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const parts: string[] = [];
  for (let ref = method.Properties.ResourceId.Ref; resources[ref]; ) {
    parts.unshift(resources[ref].Properties.PathPart);
    ref = resources[ref].Properties.ParentId.Ref;
  }
  return `/${parts.join('/')}`;
}

/** The methods of the Bedrock operations, under /model/{modelId}. */
function bedrockMethods() {
  return methods().filter((method) => fullPathOf(method).startsWith('/model/'));
}

describe('the API', () => {
  it('has one POST method per Bedrock operation, each with IAM authorization', () => {
    const all = bedrockMethods();
    expect(all.map(resourcePathOf).sort()).toEqual(BedrockOperation.ALL.map((o) => o.pathSuffix).sort());
    for (const method of all) {
      expect(method.Properties.HttpMethod).toBe('POST');
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    }
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{modelId}' });
  });

  it('streams the two streaming operations and buffers the others', () => {
    for (const method of bedrockMethods()) {
      const operation = BedrockOperation.ALL.find((o) => o.pathSuffix === resourcePathOf(method))!;
      const integration = method.Properties.Integration;
      expect(integration.Type).toBe('AWS_PROXY');
      const uri = JSON.stringify(integration.Uri);
      if (operation.streaming) {
        expect(integration.ResponseTransferMode).toBe('STREAM');
        expect(uri).toContain('/response-streaming-invocations');
        expect(uri).toContain('StreamingRouterFunction');
        expect(integration.TimeoutInMillis).toBe(15 * 60 * 1000);
      } else {
        expect(integration.ResponseTransferMode).toBeUndefined();
        expect(uri).toContain('/invocations');
        expect(uri).not.toContain('Streaming');
        expect(integration.TimeoutInMillis).toBe(29000);
      }
    }
  });

  it('serves the OpenAI-compatible path: chat completions on the streaming function, the models list buffered, all IAM-authorized', () => {
    const openAi = methods().filter((method) => fullPathOf(method).startsWith('/openai/v1/'));
    const shape = openAi.map((method) => {
      const integration = method.Properties.Integration;
      const streamed = integration.ResponseTransferMode === 'STREAM' && JSON.stringify(integration.Uri).includes('StreamingRouterFunction');
      return `${method.Properties.HttpMethod} ${fullPathOf(method)} ${method.Properties.AuthorizationType} ${streamed ? 'STREAM' : 'BUFFERED'}`;
    });
    expect(shape.sort()).toEqual([
      'GET /openai/v1/models AWS_IAM BUFFERED',
      'GET /openai/v1/models/{modelId} AWS_IAM BUFFERED',
      'POST /openai/v1/chat/completions AWS_IAM STREAM',
    ]);
    const retrieve = openAi.find((method) => fullPathOf(method).endsWith('{modelId}'))!;
    expect(retrieve.Properties.RequestParameters).toEqual({ 'method.request.path.modelId': true });
  });

  it('is regional by default and passes bodies through as binary', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      BinaryMediaTypes: ['*/*'],
    });
  });

  it('throttles the stage and writes JSON access logs to a KMS-encrypted log group', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('^\\{.*"requestId"') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, LoggingLevel: 'ERROR', DataTraceEnabled: false }),
      ]),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
  });

  it('grants execute-api:Invoke on the stage methods', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Stack.of(caller).getLogicalId(caller.node.defaultChild as iam.CfnRole) }] },
    });
    const statement = Object.values(policies)[0].Properties.PolicyDocument.Statement[0];
    expect(statement.Action).toBe('execute-api:Invoke');
    expect(JSON.stringify(statement.Resource)).toMatch(/execute-api:.*InvocationApi.*\/.*InvocationApiDeploymentStagev1.*\/POST\/model\/\*"/);
    // ... and on the OpenAI-compatible path, both of its methods.
    expect(JSON.stringify(statement.Resource)).toMatch(/InvocationApiDeploymentStagev1.*\/POST\/openai\/v1\/\*"/);
    expect(JSON.stringify(statement.Resource)).toMatch(/InvocationApiDeploymentStagev1.*\/GET\/openai\/v1\/\*"/);
  });
});

describe('the router functions', () => {
  const routerFunctions = () =>
    Object.values(template.findResources('AWS::Lambda::Function')).filter((f: any) =>
      /Bedrock-style router/.test(f.Properties.Description ?? ''),
    ) as { Properties: Record<string, any> }[];

  it('run in the VPC private subnets', () => {
    const privateSubnets = tiers.vpc.privateSubnets.map((s) => ({
      Ref: tiers.stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet),
    }));
    expect(routerFunctions()).toHaveLength(2);
    for (const fn of routerFunctions()) {
      expect(fn.Properties.VpcConfig.SubnetIds).toEqual(privateSubnets);
    }
  });

  it('get a streaming timeout of 15 minutes and a buffered one of 29 seconds', () => {
    const timeouts = routerFunctions().map((f) => [f.Properties.Handler, f.Properties.Timeout]).sort();
    expect(timeouts).toEqual([
      ['index.handler', 29],
      ['index.streamingHandler', 900],
    ]);
  });

  it('are configured with a registry derived from the constructs, holding the secret ARN and no secret', () => {
    const text = JSON.stringify(routerFunctions()[0].Properties.Environment.Variables[REGISTRY_ENV_VAR]);
    expect(text).toContain('PrefillLb');
    expect(text).toContain(':8000');
    expect(text).toContain('https://decode.example.internal:8443');
    expect(text).toContain('DecodeApiKey');
    const config = routerRegistry(template);
    expect(config.models[0]).toMatchObject({
      modelIds: TEST_MODEL.modelIds,
      prefillModel: 'meta-llama/Llama-3.1-70B-Instruct',
      decode: { model: 'llama3.1-70b', canIngestKv: false },
      contextWindow: 128000,
      maxOutputTokens: 2048,
    });
    expect(config.models[0].decode.apiKey?.secretArn).toBeDefined();
    expect(layer.modelIds).toEqual(TEST_MODEL.modelIds);
  });

  it('may reach only the prefill load balancer port, the decode endpoint and Secrets Manager', () => {
    const sgId = tiers.stack.resolve((layer.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup).attrGroupId);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((r: any) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sgId));
    const inline = (Object.values(template.findResources('AWS::EC2::SecurityGroup')) as any[]).find((g) =>
      /egress only to the prefill/.test(g.Properties.GroupDescription),
    ).Properties.SecurityGroupEgress as any[];
    const rules = [...egress, ...inline].map((r) => `${r.FromPort}-${r.ToPort}:${r.DestinationSecurityGroupId ? 'sg' : JSON.stringify(r.CidrIp)}`);
    expect(rules.sort()).toEqual(
      ['443-443:' + JSON.stringify(tiers.stack.resolve(tiers.vpc.vpcCidrBlock)), '8000-8000:sg', '8443-8443:sg'].sort(),
    );
    for (const rule of [...egress, ...inline]) expect(rule.CidrIp).not.toBe('0.0.0.0/0');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8000,
      GroupId: tiers.stack.resolve(tiers.prefillSecurityGroup.securityGroupId),
      SourceSecurityGroupId: sgId,
    });
  });

  it('read the decode API key by grant', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { Ref: tiers.stack.getLogicalId(tiers.apiKey.node.defaultChild as any) },
          }),
        ]),
      },
    });
  });
});

describe('observability', () => {
  it('has a dashboard with the latency, throughput, error and fleet widgets', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    const body = JSON.stringify(tiers.stack.resolve(Object.values(dashboards)[0].Properties.DashboardBody));
    for (const title of [
      'Time to first token',
      'Time per output token',
      'Prefill latency',
      'KV hand-off latency',
      'Output tokens per second',
      'Errors by type',
      'Prefill fleet',
    ]) {
      expect(body).toContain(title);
    }
    for (const stat of ['p50', 'p90', 'p99']) expect(body).toContain(stat);
    expect(body).toContain('HealthyHostCount');
  });

  it('alarms on time to first token, error rate and unhealthy prefill hosts, notifying the topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
    expect(alarms).toHaveLength(3);
    const ttft = alarms.find((a) => JSON.stringify(a.Metrics ?? '').includes(METRIC_NAMES.timeToFirstToken))!;
    expect(ttft.Threshold).toBe(2000);
    expect(JSON.stringify(ttft.Metrics)).toContain('"Stat":"p90"');
    const errorRate = alarms.find((a) => JSON.stringify(a.Metrics ?? '').includes(METRIC_NAMES.errors))!;
    expect(errorRate.Threshold).toBe(5);
    const unhealthy = alarms.find((a) => a.MetricName === 'UnHealthyHostCount')!;
    expect(unhealthy.Threshold).toBe(0);
    // Past the 45-minute model-load grace period of the test double: 55 minutes of 5-minute periods.
    expect(unhealthy.Statistic).toBe('Minimum');
    expect(unhealthy.Period).toBe(300);
    expect(unhealthy.EvaluationPeriods).toBe(11);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('builds metrics from the telemetry contract', () => {
    const ttft = layer.metricTimeToFirstToken();
    expect(ttft.namespace).toBe(METRIC_NAMESPACE);
    expect(ttft.metricName).toBe(METRIC_NAMES.timeToFirstToken);
    expect(ttft.dimensions).toEqual({ [MODEL_ID_DIMENSION]: TEST_MODEL.modelIds[0] });
    expect(ttft.statistic).toBe('p90');
    expect(layer.metricTimePerOutputToken().metricName).toBe(METRIC_NAMES.timePerOutputToken);
    expect(layer.metricPrefillLatency({ modelId: 'us.x' }).dimensions).toEqual({ [MODEL_ID_DIMENSION]: 'us.x' });
    expect(layer.metricKvHandoffLatency().metricName).toBe(METRIC_NAMES.kvHandoffLatency);
    expect(layer.metricOutputTokensPerSecond().metricName).toBe(METRIC_NAMES.outputTokensPerSecond);
    const recomputes = layer.metricKvRecomputes();
    expect(recomputes.metricName).toBe(METRIC_NAMES.kvRecomputes);
    expect(recomputes.statistic).toBe('Sum');
    const throttles = layer.metricErrors({ errorType: 'ThrottlingException' });
    expect(throttles.dimensions).toEqual({ [ERROR_TYPE_DIMENSION]: 'ThrottlingException' });
    expect(throttles.statistic).toBe('Sum');
  });

  it('scales the prefill group on in-flight prefill requests per healthy host, waiting out model load', () => {
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: 1800,
      TargetTrackingConfiguration: {
        TargetValue: 8,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({
              MetricStat: {
                Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC_NAMES.prefillLatency, Dimensions: Match.anyValue() },
                Stat: 'Sum',
              },
            }),
            Match.objectLike({ Id: 'hosts', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HealthyHostCount' }) }) }),
            Match.objectLike({ Expression: Match.stringLikeRegexp('FILL\\(latency1, 0\\)\\) / 60000 / hosts$'), ReturnData: true }),
          ]),
        },
      },
    });
  });
});

describe('cdk-nag', () => {
  it('leaves no unacknowledged AwsSolutions finding on the invocation layer', () => {
    // The test doubles are not the product; only the layer's own resources are judged here.
    const { tiers: nagged } = buildLayer(appWithNag({ context: SKIP_BUNDLING }));
    const findings = nagFindings(nagged.app).filter((f) => f.constructPath.startsWith('Tiers/Invocation/'));
    expect(findings).toEqual([]);
  });
});

describe('options and bad input', () => {
  function fresh() {
    return buildTestTiers(new App({ context: SKIP_BUNDLING }));
  }

  function privateLayer(app: App) {
    const t = buildTestTiers(app);
    new BedrockInvocationLayer(t.stack, 'Invocation', {
      prefill: t.prefill,
      decode: t.decode,
      vpc: t.vpc,
      ...TEST_MODEL,
      endpointType: ApiEndpointType.privateEndpoint(),
      prefillScaling: PrefillAutoScaling.none(),
    });
    return t;
  }

  it('sets the account-wide API Gateway CloudWatch role by default, and leaves it alone with `cloudWatchRole: false`', () => {
    const layer = (cloudWatchRole?: boolean) => {
      const t = fresh();
      new BedrockInvocationLayer(t.stack, 'Invocation', { prefill: t.prefill, decode: t.decode, vpc: t.vpc, ...TEST_MODEL, cloudWatchRole });
      return Template.fromStack(t.stack);
    };
    layer().resourceCountIs('AWS::ApiGateway::Account', 1);
    layer(false).resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('makes a private API reachable only through an execute-api endpoint', () => {
    const t = privateLayer(new App({ context: SKIP_BUNDLING }));
    const tpl = Template.fromStack(t.stack);
    tpl.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: Match.anyValue() },
      Policy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { StringNotEquals: { 'aws:SourceVpce': Match.anyValue() } } }),
        ]),
      },
    });
    tpl.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: Match.stringLikeRegexp('execute-api'),
      PrivateDnsEnabled: true,
    });
    tpl.resourceCountIs('AWS::AutoScaling::ScalingPolicy', 0);
    const nagged = privateLayer(appWithNag({ context: SKIP_BUNDLING }));
    expect(nagFindings(nagged.app).filter((f) => f.constructPath.startsWith('Tiers/Invocation/'))).toEqual([]);
  });

  it('refuses tiers inside a VPC without `vpc`, saying what to pass', () => {
    const t = fresh();
    expect(() => new BedrockInvocationLayer(t.stack, 'Invocation', { prefill: t.prefill, decode: t.decode, ...TEST_MODEL })).toThrow(
      /reachable only inside a VPC.*Pass the network's VPC as `vpc`/,
    );
  });

  it('lets the router reach a prefill tier on its connections\' default port (the tier gives no other port)', () => {
    // A tier imported with only `connections` used to fail synth: "fromPort ... should be a number".
    const t = fresh();
    const sg = new ec2.SecurityGroup(t.stack, 'ImportedPrefillSg', { vpc: t.vpc, allowAllOutbound: false });
    const prefill: IPrefillEndpoint = { ...t.prefill, connections: new ec2.Connections({ securityGroups: [sg], defaultPort: ec2.Port.tcp(9000) }) };
    new BedrockInvocationLayer(t.stack, 'Invocation', { prefill, decode: t.decode, vpc: t.vpc, ...TEST_MODEL });
    Template.fromStack(t.stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 9000,
      ToPort: 9000,
      GroupId: t.stack.resolve(sg.securityGroupId),
    });
  });

  it('refuses a prefill tier in a VPC whose connections name no port, saying how to give one', () => {
    const t = fresh();
    const sg = new ec2.SecurityGroup(t.stack, 'ImportedPrefillSg', { vpc: t.vpc, allowAllOutbound: false });
    const prefill: IPrefillEndpoint = { ...t.prefill, connections: new ec2.Connections({ securityGroups: [sg] }) };
    expect(() => new BedrockInvocationLayer(t.stack, 'Invocation', { prefill, decode: t.decode, vpc: t.vpc, ...TEST_MODEL })).toThrow(
      /the prefill tier's `connections` have security groups but no default port; give them the load balancer port/,
    );
  });

  it('refuses a buffered timeout API Gateway cannot honour, naming it', () => {
    const t = fresh();
    expect(
      () =>
        new BedrockInvocationLayer(t.stack, 'Invocation', {
          prefill: t.prefill,
          decode: t.decode,
          vpc: t.vpc,
          ...TEST_MODEL,
          bufferedTimeout: Duration.minutes(2),
        }),
    ).toThrow(/bufferedTimeout is 2 minutes; it must be between 2 seconds and 29 seconds/);
  });

  it('refuses a served model the catalog does not know unless its limits are given', () => {
    const t = fresh();
    expect(
      () => new BedrockInvocationLayer(t.stack, 'Invocation', { prefill: t.prefill, decode: t.decode, vpc: t.vpc, model: 'no-such-model' }),
    ).toThrow(/model 'no-such-model' is not in the model catalog.*Pass `model` with a catalog name, or give `modelIds`/);
  });

  it('refuses an error-rate threshold that is not a percentage', () => {
    const t = fresh();
    expect(
      () =>
        new BedrockInvocationLayer(t.stack, 'Invocation', {
          prefill: t.prefill,
          decode: t.decode,
          vpc: t.vpc,
          ...TEST_MODEL,
          errorRatePercentThreshold: 150,
        }),
    ).toThrow(/errorRatePercentThreshold is 150; give a percentage above 0 and at most 100/);
  });
});
