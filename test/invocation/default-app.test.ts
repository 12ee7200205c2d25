import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack } from 'aws-cdk-lib';
import { type DefaultApp } from '../../lib/app';
import { DisaggregatedInference } from '../../lib/disaggregated-inference';
import { DecodeBackend } from '../../lib/decode';
import { InvocationApi } from '../../lib/invocation';
import { Isolation } from '../../lib/isolation';
import { BedrockOperation } from '../../lib/runtime/bedrock/operations';
import { OpenAiRoute } from '../../lib/runtime/openai/openai-routes';
import { defaultApp, defaultAppWithControls, testApp } from '../app/test-app';
import { nagFindings } from './nag';
import { routerRegistry } from './router-registry';

type Resource = { Properties: Record<string, any> };

/** Each API method as `<path segment> <auth> <transfer mode>`, the API's shape clients meet. */
function apiShape(template: Template): string[] {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  return (Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[])
    .map((m) => {
      const segment = resources[m.Properties.ResourceId.Ref].Properties.PathPart;
      const parent = resources[resources[m.Properties.ResourceId.Ref].Properties.ParentId.Ref].Properties.PathPart;
      return `${m.Properties.HttpMethod} ${parent}/${segment} ${m.Properties.AuthorizationType} ${m.Properties.Integration.ResponseTransferMode ?? 'BUFFERED'}`;
    })
    .sort();
}

describe('the default app’s invocation layer', () => {
  let app: DefaultApp;
  let template: Template;

  beforeAll(() => {
    app = defaultApp();
    template = Template.fromStack(app.stack);
  });

  it('uses IAM authorization on every API method, and streams exactly the two streaming operations and chat completions', () => {
    const openAi = OpenAiRoute.ALL.map((r) => {
      const parent = r.segments.length > 1 ? r.segments[r.segments.length - 2] : 'v1';
      return `${r.method} ${parent}/${r.segments[r.segments.length - 1]} AWS_IAM ${r.streaming ? 'STREAM' : 'BUFFERED'}`;
    });
    expect(apiShape(template)).toEqual(
      [...BedrockOperation.ALL.map((o) => `POST {modelId}/${o.pathSuffix} AWS_IAM ${o.streaming ? 'STREAM' : 'BUFFERED'}`), ...openAi].sort(),
    );
  });

  it('configures the router with the fleets\' max model length (8192 by default) as the context window', () => {
    expect(app.inference.prefillFleet!.maxModelLength).toBe(8192);
    expect(routerRegistry(template).models[0].contextWindow).toBe(8192);
  });

  it('runs the router in the EFA network’s private subnet', () => {
    const vpc = app.inference.network!.vpc;
    const privateSubnets = vpc.privateSubnets.map((s) => app.stack.resolve(s.subnetId));
    expect(privateSubnets.length).toBeGreaterThan(0);
    const routers = (Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]).filter((f) =>
      /Bedrock-style router/.test(f.Properties.Description ?? ''),
    );
    expect(routers).toHaveLength(2);
    for (const router of routers) {
      expect(router.Properties.VpcConfig.SubnetIds).toEqual(privateSubnets);
      expect(router.Properties.VpcConfig.SubnetIds).not.toContainEqual(app.stack.resolve(vpc.publicSubnets[0].subnetId));
    }
  });

  it('lets the router reach the prefill and decode load balancer and host ports, and the discovery APIs, only', () => {
    const routerSg = app.stack.resolve(
      (app.inference.invocation!.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup).attrGroupId,
    );
    const egress = (Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')) as Resource[])
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(routerSg));
    // The default decode is a Trainium fleet: no API key, so no Secrets Manager traffic either.
    const prefill = app.inference.prefillFleet!;
    const decode = app.inference.decodeEndpoint.fleet!;
    const targets = [prefill.connections, app.inference.decodeEndpoint.connections!, prefill.hosts.connections, decode.hosts!.connections].map((c) =>
      app.stack.resolve(c.securityGroups[0].securityGroupId),
    );
    const apis = ['elasticloadbalancing', 'ec2'].map((service) =>
      app.stack.resolve(app.inference.network!.interfaceEndpoints[service]!.connections.securityGroups[0].securityGroupId),
    );
    expect(egress.map((p) => [p.FromPort, p.ToPort, p.DestinationSecurityGroupId])).toEqual(
      expect.arrayContaining([...targets.map((sg) => [8000, 8000, sg]), ...apis.map((sg) => [443, 443, sg])]),
    );
    expect(egress).toHaveLength(6);
  });

  it('has the dashboard, the five alarms, the prefill and decode scaling policies and the ApiUrl output', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    expect(alarms.map((a) => a.Properties.AlarmDescription).sort()).toEqual([
      expect.stringMatching(/^A decode host has failed the load balancer health check for 1 hour 10 minutes, longer than the model-load grace period \(1 hour\)/),
      expect.stringMatching(/^A prefill host has failed the load balancer health check for 1 hour 10 minutes, longer than the model-load grace period \(1 hour\)/),
      expect.stringMatching(/^Decode hosts carried more than 40 streams each \(scaling target 32\)/),
      expect.stringMatching(/^More than 5% of requests failed/),
      expect.stringMatching(/^Time to first token p90 above 2 seconds/),
    ]);
    // The fleet's 60-minute grace period plus 10 minutes, in 5-minute periods: a scale-out does not page.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Statistic: 'Minimum', Period: 300, EvaluationPeriods: 14 });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', { PolicyType: 'TargetTrackingScaling' });
    template.resourceCountIs('AWS::AutoScaling::ScalingPolicy', 2);
    template.hasOutput('ApiUrl', {});
  });
});

describe('-c mode=mock', () => {
  let app: DefaultApp;
  let template: Template;

  beforeAll(() => {
    app = defaultApp({ mode: 'mock' });
    template = Template.fromStack(app.stack);
  });

  it('has no EC2 instance, Auto Scaling group, launch template or VPC', () => {
    for (const type of [
      'AWS::EC2::Instance',
      'AWS::AutoScaling::AutoScalingGroup',
      'AWS::AutoScaling::LaunchConfiguration',
      'AWS::EC2::LaunchTemplate',
      'AWS::EC2::VPC',
      'AWS::EC2::NatGateway',
    ]) {
      template.resourceCountIs(type, 0);
    }
  });

  it('serves the same API as the default app', () => {
    expect(apiShape(template)).toEqual(apiShape(Template.fromStack(defaultApp().stack)));
    template.hasOutput('ApiUrl', {});
    expect(app.inference.mockWorkers).toBeDefined();
    expect(routerRegistry(template).models[0].modelIds).toContain('us.meta.llama3-3-70b-instruct-v1:0');
  });

  it('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(defaultAppWithControls({ mode: 'mock' }).stack.node.root as any)).toEqual([]);
  });

  it('refuses an unknown mode, naming it', () => {
    expect(() => defaultApp({ mode: 'mocks' })).toThrow(/Context mode='mocks' is not a mode the app knows; pass -c mode=mock/);
  });
});

describe('DisaggregatedInference invocation options', () => {
  const stackIn = () => new Stack(testApp({ 'aws:cdk:bundling-stacks': [] }), 'Test');

  it('passes the API settings through to the invocation layer', () => {
    const stack = stackIn();
    new DisaggregatedInference(stack, 'Inference', { invocation: InvocationApi.bedrockRuntime({ stageName: 'prod', throttling: { rateLimit: 5, burstLimit: 10 } }) });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, DataTraceEnabled: false, LoggingLevel: 'ERROR', MetricsEnabled: true }],
    });
  });

  it('without interface endpoints, the router reaches Secrets Manager (the CS-3 API key) through the NAT gateway', () => {
    const stack = stackIn();
    new DisaggregatedInference(stack, 'Inference', {
      network: { interfaceEndpoints: false },
      decode: DecodeBackend.cs3PrivateLink({ serviceName: 'com.amazonaws.vpce.us-east-2.vpce-svc-0123456789abcdef0', privateDnsName: 'cs3.example.com' }),
    });
    const egress = Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroup'))
      .map((sg: any) => sg.Properties)
      .find((p) => /^Bedrock-style router/.test(p.GroupDescription));
    expect(egress.SecurityGroupEgress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]));
  });

  it('leaves the API out with `InvocationApi.none()`', () => {
    const stack = stackIn();
    const inference = new DisaggregatedInference(stack, 'Inference', { invocation: InvocationApi.none() });
    expect(inference.invocation).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::RestApi', 0);
  });

  it('applies no Nitro isolation with `Isolation.none()`, and applies it by default', () => {
    expect(new DisaggregatedInference(stackIn(), 'Inference', { isolation: Isolation.none(), invocation: InvocationApi.none() }).isolation).toBeUndefined();
    expect(new DisaggregatedInference(stackIn(), 'Inference', { invocation: InvocationApi.none() }).isolation).toBeDefined();
  });
});
