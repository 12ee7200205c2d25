import { App, Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DecodeEndpoint, DecodeKvCapability, type IDecodeEndpoint } from '../../lib/decode';
import type { IPrefillEndpoint } from '../../lib/prefill';

/**
 * Test doubles of the prefill fleet and the decode endpoint, built from real CDK resources so the
 * invocation layer's wiring (security groups, grants, metrics, scaling) is exercised for real.
 */
export interface TestTiers {
  readonly app: App;
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly prefill: IPrefillEndpoint;
  readonly decode: IDecodeEndpoint;
  readonly prefillSecurityGroup: ec2.SecurityGroup;
  readonly decodeSecurityGroup: ec2.SecurityGroup;
  readonly apiKey: secretsmanager.Secret;
}

export function buildTestTiers(app: App = new App()): TestTiers {
  const stack = new Stack(app, 'Tiers', { env: { account: '111122223333', region: 'us-east-2' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });

  const prefillSecurityGroup = new ec2.SecurityGroup(stack, 'PrefillLbSg', { vpc, allowAllOutbound: false });
  const nlb = new elbv2.NetworkLoadBalancer(stack, 'PrefillLb', {
    vpc,
    internetFacing: false,
    securityGroups: [prefillSecurityGroup],
  });
  const group = new autoscaling.AutoScalingGroup(stack, 'PrefillGroup', {
    vpc,
    instanceType: new ec2.InstanceType('trn2.48xlarge'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    minCapacity: 1,
    maxCapacity: 4,
  });
  const targetGroup = nlb.addListener('Listener', { port: 8000 }).addTargets('Prefill', {
    port: 8000,
    targets: [group],
    healthCheck: { path: '/health', protocol: elbv2.Protocol.HTTP, interval: Duration.seconds(30) },
  });
  const prefill: IPrefillEndpoint = {
    endpointUrl: `http://${nlb.loadBalancerDnsName}:8000`,
    servedModelName: 'meta-llama/Llama-3.1-70B-Instruct',
    connections: new ec2.Connections({ securityGroups: [prefillSecurityGroup], defaultPort: ec2.Port.tcp(8000) }),
    fleet: Object.assign(new Construct(stack, 'PrefillFleet'), {
      autoScalingGroup: group,
      healthCheckGracePeriod: Duration.minutes(45),
      metricHealthyHostCount: (props?: cloudwatch.MetricOptions) => targetGroup.metrics.healthyHostCount(props),
      metricUnhealthyHostCount: (props?: cloudwatch.MetricOptions) => targetGroup.metrics.unHealthyHostCount(props),
      metricInServiceInstances: (props?: cloudwatch.MetricOptions) =>
        new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName }, ...props }),
      metricRunningRequests: (props?: cloudwatch.MetricOptions) =>
        new cloudwatch.Metric({ namespace: 'DisaggregatedInference/Fleets', metricName: 'vllm:num_requests_running', dimensionsMap: { Fleet: 'Tiers/PrefillFleet' }, ...props }),
      metricWaitingRequests: (props?: cloudwatch.MetricOptions) =>
        new cloudwatch.Metric({ namespace: 'DisaggregatedInference/Fleets', metricName: 'vllm:num_requests_waiting', dimensionsMap: { Fleet: 'Tiers/PrefillFleet' }, ...props }),
    }),
    grantInvoke: (grantee) => iam.Grant.drop(grantee, 'call the prefill double'),
  };

  const decodeSecurityGroup = new ec2.SecurityGroup(stack, 'DecodeSg', { vpc, allowAllOutbound: false });
  const apiKey = new secretsmanager.Secret(stack, 'DecodeApiKey');
  const decode = DecodeEndpoint.fromDecodeEndpointAttributes(stack, 'Decode', {
    endpointUrl: 'https://decode.example.internal:8443',
    servedModelName: 'llama3.1-70b',
    kvCapability: DecodeKvCapability.PROMPT_REPLAY,
    apiKeySecret: apiKey,
    securityGroups: [decodeSecurityGroup],
  });
  return { app, stack, vpc, prefill, decode, prefillSecurityGroup, decodeSecurityGroup, apiKey };
}

/** The ids the test model is served under. */
export const TEST_MODEL = {
  modelIds: ['meta.llama3-1-70b-instruct-v1:0', 'us.meta.llama3-1-70b-instruct-v1:0'],
  contextWindow: 128000,
  maxOutputTokens: 2048,
};
