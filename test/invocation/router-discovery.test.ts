import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { DefaultApp } from '../../lib/app';
import { DisaggregatedInference } from '../../lib/disaggregated-inference';
import type { IServerFleet } from '../../lib/fleet';
import { DecodeBackend } from '../../lib/decode';
import { defaultApp, testApp } from '../app/test-app';
import { routerRegistry } from './router-registry';

type Resource = { Properties: Record<string, any> };

/** The statements of every IAM policy attached to the router role. */
function routerRoleStatements(app: DefaultApp, template: Template): any[] {
  const role = app.stack.resolve(app.inference.invocation!.routerRole.roleName);
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
    .filter((p) => (p.Properties.Roles ?? []).some((r: unknown) => JSON.stringify(r) === JSON.stringify(role)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** Every action any IAM policy of the template allows. */
function policyActions(template: Template): string[] {
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]).flatMap((p) =>
    p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()),
  );
}

describe('the deployed router discovers the fleets\' hosts (default app)', () => {
  let app: DefaultApp;
  let template: Template;
  let prefill: IServerFleet;
  let decode: IServerFleet;

  beforeAll(() => {
    app = defaultApp();
    template = Template.fromStack(app.stack);
    prefill = app.inference.prefillFleet!.fleet;
    decode = app.inference.decodeEndpoint.fleet!;
  });

  it('names each fleet\'s target group and server port in the registry, the load balancer staying the fallback URL', () => {
    const route = routerRegistry(template).models[0];
    const arn = (fleet: IServerFleet) => JSON.stringify(app.stack.resolve(fleet.hosts!.targetGroupArn)).replace(/["\\]/g, '');
    expect(route.prefillDiscovery).toEqual({ targetGroupArn: arn(prefill), port: 8000 });
    expect(route.decode.discovery).toEqual({ targetGroupArn: arn(decode), port: 8000 });
    expect(route.prefillUrls).toEqual([expect.stringMatching(/^http:\/\/.*LoadBalancer.*:8000$/)]);
    expect(route.decode.url).toMatch(/^http:\/\/.*LoadBalancer.*:8000$/);
  });

  it('may call DescribeTargetHealth and DescribeInstances only, read-only, in the stack\'s region', () => {
    const discovery = routerRoleStatements(app, template).filter((s) =>
      [s.Action].flat().some((a: string) => a.startsWith('elasticloadbalancing:') || a.startsWith('ec2:Describe')),
    );
    // Neither action has resource-level permissions (Service Authorization Reference), so `*` and a region condition.
    expect(discovery).toEqual([
      {
        Effect: 'Allow',
        Action: ['ec2:DescribeInstances', 'elasticloadbalancing:DescribeTargetHealth'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': app.stack.resolve(Stack.of(app.inference).region) } },
      },
    ]);
    // Nothing else on the role names an ELB, EC2 or Auto Scaling write.
    const actions = routerRoleStatements(app, template).flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => /^(elasticloadbalancing|ec2|autoscaling):/.test(a)).sort()).toEqual([
      'ec2:DescribeInstances',
      'elasticloadbalancing:DescribeTargetHealth',
    ]);
  });

  it('acknowledges the `*` resource for cdk-nag on the discovery policy, with the reason', () => {
    const policy = app.inference.invocation!.node.findChild('RouterDiscoveryPolicy');
    const acknowledged = JSON.stringify(policy.node.metadata);
    expect(acknowledged).toMatch(/AwsSolutions-IAM5\[Resource::\*\]/);
    expect(acknowledged).toMatch(/support no resource-level permissions/);
  });

  it('lets the router reach each fleet\'s instances on the server port, and the instances admit it', () => {
    const routerSg = app.stack.resolve(app.inference.invocation!.connections.securityGroups[0].securityGroupId);
    for (const fleet of [prefill, decode]) {
      const instanceSg = app.stack.resolve(fleet.hosts!.connections.securityGroups[0].securityGroupId);
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: routerSg,
        DestinationSecurityGroupId: instanceSg,
        FromPort: 8000,
        ToPort: 8000,
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: instanceSg,
        SourceSecurityGroupId: routerSg,
        FromPort: 8000,
        ToPort: 8000,
      });
    }
  });

  it('reaches the Elastic Load Balancing and EC2 APIs through the network\'s interface endpoints', () => {
    const endpoints = app.inference.network!.interfaceEndpoints;
    const routerSg = app.stack.resolve(app.inference.invocation!.connections.securityGroups[0].securityGroupId);
    for (const service of ['elasticloadbalancing', 'ec2']) {
      const endpoint = endpoints[service]!;
      const { Ref: logicalId } = app.stack.resolve(endpoint.vpcEndpointId);
      const resource = template.findResources('AWS::EC2::VPCEndpoint')[logicalId] as Resource;
      expect(JSON.stringify(resource.Properties.ServiceName)).toMatch(new RegExp(`\\.${service}"\\]`));
      expect(resource.Properties.PrivateDnsEnabled).toBe(true);
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: routerSg,
        DestinationSecurityGroupId: app.stack.resolve(endpoint.connections.securityGroups[0].securityGroupId),
        FromPort: 443,
        ToPort: 443,
      });
    }
  });
});

describe('router discovery elsewhere', () => {
  const stackIn = () => new Stack(testApp({ 'aws:cdk:bundling-stacks': [] }), 'Test');

  it('creates no discovery policy when no tier is a server fleet (mock mode)', () => {
    const app = defaultApp({ mode: 'mock' });
    const template = Template.fromStack(app.stack);
    expect(policyActions(template)).not.toContain('elasticloadbalancing:DescribeTargetHealth');
    expect(routerRegistry(template).models[0].prefillDiscovery).toBeUndefined();
  });

  it('without interface endpoints, reaches the discovery APIs through the NAT gateway', () => {
    const stack = stackIn();
    new DisaggregatedInference(stack, 'Inference', { network: { interfaceEndpoints: false } });
    const router = (Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroup')) as Resource[])
      .map((sg) => sg.Properties)
      .find((p) => /^Bedrock-style router/.test(p.GroupDescription))!;
    expect(router.SecurityGroupEgress).toEqual(
      expect.arrayContaining([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]),
    );
  });

  it('discovers nothing behind a CS-3 endpoint (it takes whole prompts: no prefill fleet), and is allowed nothing for it', () => {
    const stack = stackIn();
    new DisaggregatedInference(stack, 'Inference', { decode: DecodeBackend.cs3Url('https://cs3.example.com') });
    const template = Template.fromStack(stack);
    const route = routerRegistry(template).models[0];
    expect(route.prefillDiscovery).toBeUndefined();
    expect(route.decode.discovery).toBeUndefined();
    expect(policyActions(template)).not.toContain('elasticloadbalancing:DescribeTargetHealth');
  });
});
