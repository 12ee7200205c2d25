import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DisaggregatedInference } from '../../lib/disaggregated-inference';
import { testApp } from '../app/test-app';

type Resource = { Properties: Record<string, any> };

describe('the router across Availability Zones', () => {
  it('runs in every private subnet of the VPC, while the EFA fleets stay in the one EFA subnet', () => {
    const stack = new Stack(testApp({ 'aws:cdk:bundling-stacks': [] }), 'Test', { env: { account: '111122223333', region: 'us-east-2' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-2a', 'us-east-2b', 'us-east-2c'], natGateways: 1 });
    const inference = new DisaggregatedInference(stack, 'Inference', { network: { vpc, availabilityZone: 'us-east-2b', s3GatewayEndpoint: false } });
    const template = Template.fromStack(stack);
    const privateSubnets = vpc.privateSubnets.map((s) => stack.resolve(s.subnetId));
    expect(new Set(vpc.privateSubnets.map((s) => s.availabilityZone))).toEqual(new Set(['us-east-2a', 'us-east-2b', 'us-east-2c']));
    const routers = (Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]).filter((f) =>
      /Bedrock-style router/.test(f.Properties.Description ?? ''),
    );
    expect(routers).toHaveLength(2);
    for (const router of routers) expect(router.Properties.VpcConfig.SubnetIds).toEqual(privateSubnets);
    // The fleets: one subnet, one zone (EFA traffic does not cross zones).
    const efaSubnet = stack.resolve(inference.network!.subnet.subnetId);
    for (const group of Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup')) as Resource[]) {
      expect(group.Properties.VPCZoneIdentifier).toEqual([efaSubnet]);
    }
    expect(inference.network!.subnet.availabilityZone).toBe('us-east-2b');
  });
});
