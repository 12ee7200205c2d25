import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ModelSource } from '../../lib/fleet';
import { EfaNetwork } from '../../lib/network';
import { TrainiumPrefillFleet } from '../../lib/prefill';
import { testStack } from '../app/test-app';
import { expectEfaLaunchTemplate, launchTemplateData } from '../prefill/fleet-fixtures';

describe('EfaNetwork with defaults', () => {
  let template: Template;
  let network: EfaNetwork;
  beforeAll(() => {
    const stack = testStack();
    network = new EfaNetwork(stack, 'Net');
    template = Template.fromStack(stack);
  });

  test('the security group allows all traffic from and to itself, and nothing else', () => {
    const sgId = { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetEfaSecurityGroup'), 'GroupId'] };
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: '-1',
      GroupId: sgId,
      SourceSecurityGroupId: sgId,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: '-1',
      GroupId: sgId,
      DestinationSecurityGroupId: sgId,
    });
    const sg = Object.values(template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^EFA') },
    }))[0] as { Properties: Record<string, unknown> };
    // No inline rules (so no egress to 0.0.0.0/0): only the separate self-referencing rules above.
    expect(sg.Properties.SecurityGroupEgress).toBeUndefined();
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('one VPC in two Availability Zones; one EFA subnet, in the first zone', () => {
    const subnets = template.findResources('AWS::EC2::Subnet', {
      Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: 'Efa' }]) },
    });
    const zones = Object.values(subnets).map((s: any) => JSON.stringify(s.Properties.AvailabilityZone));
    expect(new Set(zones).size).toBe(2);
    expect(network.subnetSelection.subnets).toEqual([network.subnet]);
    expect(network.subnet).toBe(network.vpc.privateSubnets[0]);
    expect(network.subnet.availabilityZone).toBe(network.vpc.availabilityZones[0]);
  });

  test('service subnets (router functions, interface endpoints) in both zones; the EFA subnet is one of them', () => {
    const service = network.vpc.selectSubnets(network.serviceSubnets);
    expect(service.subnets).toHaveLength(2);
    expect(new Set(service.availabilityZones).size).toBe(2);
    expect(service.subnets).toContain(network.subnet);
    const endpoint = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))[0] as any;
    expect(endpoint.Properties.SubnetIds).toHaveLength(2);
  });

  test('no subnet maps public addresses at launch (the NAT gateway has its Elastic IP)', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')).map((s: any) => s.Properties);
    expect(subnets).toHaveLength(4);
    for (const subnet of subnets) expect(subnet.MapPublicIpOnLaunch).toBe(false);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('a cluster placement group', () => {
    template.resourcePropertiesCountIs('AWS::EC2::PlacementGroup', { Strategy: 'cluster' }, 1);
  });

  test('an S3 gateway endpoint and the interface endpoints, reachable from the EFA group only', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])]) }),
    });
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 9);
    // Elastic Load Balancing and EC2: the router's discovery of the fleets' hosts.
    expect(Object.keys(network.interfaceEndpoints).sort()).toEqual(
      ['ecr.api', 'ecr.dkr', 'ec2', 'ec2messages', 'elasticloadbalancing', 'logs', 'secretsmanager', 'ssm', 'ssmmessages'].sort(),
    );
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetEfaSecurityGroup'), 'GroupId'] },
    });
  });

  test('VPC flow logs to CloudWatch Logs, kept a year, encrypted with a key CloudWatch Logs may use', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetFlowLogKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([
        Match.objectLike({ Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } }),
        Match.objectLike({ Effect: 'Deny', Action: 'kms:CreateGrant', Principal: { AWS: '*' } }),
      ]) },
    });
  });
});

describe('EfaNetwork options', () => {
  test('no placement group and no interface endpoints when turned off', () => {
    const stack = testStack();
    new EfaNetwork(stack, 'Net', { placementGroup: false, interfaceEndpoints: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::PlacementGroup', 0);
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
  });

  test('no S3 gateway endpoint when turned off (a VPC that has one already)', () => {
    const stack = testStack();
    new EfaNetwork(stack, 'Net', { s3GatewayEndpoint: false, interfaceEndpoints: false });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('a new VPC in the requested Availability Zone', () => {
    const stack = testStack({ env: { account: '111111111111', region: 'us-east-2' } });
    const network = new EfaNetwork(stack, 'Net', { availabilityZone: 'us-east-2b' });
    expect(network.subnet.availabilityZone).toBe('us-east-2b');
  });

  test('with the region\'s zones unknown at synth, the second zone is chosen at deploy: the region\'s first other zone', () => {
    const stack = testStack();
    const network = new EfaNetwork(stack, 'Net', { availabilityZone: 'us-east-2a', interfaceEndpoints: false });
    const template = Template.fromStack(stack);
    expect(template.toJSON().Conditions).toEqual({
      NetEfaZoneIsRegionsFirst061E1453: { 'Fn::Equals': ['us-east-2a', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }] },
    });
    const zones = network.vpc.availabilityZones.map((z) => stack.resolve(z));
    expect(zones).toEqual(['us-east-2a', {
      'Fn::If': ['NetEfaZoneIsRegionsFirst061E1453', { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] }, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
    }]);
    expect(network.subnet.availabilityZone).toBe('us-east-2a');
  });

  test('with the region\'s zones known (context), the second zone is the first other one', () => {
    const stack = testStack({ env: { account: '111111111111', region: 'us-east-2' } }, {
      'availability-zones:account=111111111111:region=us-east-2': ['us-east-2a', 'us-east-2b', 'us-east-2c'],
    });
    const network = new EfaNetwork(stack, 'Net', { availabilityZone: 'us-east-2b', interfaceEndpoints: false });
    expect(network.vpc.availabilityZones).toEqual(['us-east-2b', 'us-east-2a']);
    expect(network.subnet.availabilityZone).toBe('us-east-2b');
  });

  function userVpc(stack: ReturnType<typeof testStack>) {
    return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-2a', 'us-east-2b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0bbbbbbbbbbbbbbb2'],
    });
  }

  test("the user's VPC with one subnet selected by Availability Zone", () => {
    const stack = testStack();
    const network = new EfaNetwork(stack, 'Net', { vpc: userVpc(stack), availabilityZone: 'us-east-2b' });
    expect(network.subnet.subnetId).toBe('subnet-0bbbbbbbbbbbbbbb2');
  });

  test('EFA subnets across two Availability Zones are an error naming the zones and the fix', () => {
    const stack = testStack();
    expect(() => new EfaNetwork(stack, 'Net', { vpc: userVpc(stack) })).toThrow(
      /the EFA subnets span 2 Availability Zones \(us-east-2a, us-east-2b\).*Set `availabilityZone`, or a `subnetSelection` that resolves to a single subnet/,
    );
  });

  test('two subnets in one zone are an error asking for exactly one', () => {
    const stack = testStack();
    const vpc = userVpc(stack);
    const twoInOneZone = { subnets: [
      ec2.Subnet.fromSubnetAttributes(stack, 'S1', { subnetId: 'subnet-0aaaaaaaaaaaaaaa1', availabilityZone: 'us-east-2a' }),
      ec2.Subnet.fromSubnetAttributes(stack, 'S2', { subnetId: 'subnet-0ccccccccccccccc3', availabilityZone: 'us-east-2a' }),
    ] };
    expect(() => new EfaNetwork(stack, 'Net', { vpc, subnetSelection: twoInOneZone })).toThrow(
      /matched 2 subnets \(subnet-0aaaaaaaaaaaaaaa1, subnet-0ccccccccccccccc3\).*exactly one subnet/,
    );
  });
});

describe('EfaNetwork.fromEfaNetworkAttributes', () => {
  test('a fleet joins a network made elsewhere: its subnet, its EFA group on every interface, its placement group', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-2a'], privateSubnetIds: ['subnet-0123456789abcdef0'], privateSubnetRouteTableIds: ['rtb-0123456789abcdef0'] });
    const network = EfaNetwork.fromEfaNetworkAttributes(stack, 'Net', {
      vpc,
      subnet: ec2.Subnet.fromSubnetAttributes(stack, 'Subnet', { subnetId: 'subnet-0123456789abcdef0', availabilityZone: 'us-east-2a', routeTableId: 'rtb-0123456789abcdef0' }),
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'EfaSg', 'sg-0123456789abcdef0', { allowAllOutbound: false }),
      placementGroup: ec2.PlacementGroup.fromPlacementGroupName(stack, 'Pg', 'efa-cluster'),
    });
    const model = ModelSource.huggingFace('meta-llama/Llama-3.3-70B-Instruct', { tokenSecret: new secretsmanager.Secret(stack, 'HfToken') });
    new TrainiumPrefillFleet(stack, 'Prefill', { network, model });
    const template = Template.fromStack(stack);
    const data = launchTemplateData(template);
    expectEfaLaunchTemplate(data, 16);
    for (const ni of data.NetworkInterfaces) expect(ni.Groups).toContain('sg-0123456789abcdef0');
    expect(data.Placement).toEqual({ GroupName: 'efa-cluster' });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { VPCZoneIdentifier: ['subnet-0123456789abcdef0'] });
    // Nothing is added to an imported network.
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties.GroupId);
    expect(rules).not.toContain('sg-0123456789abcdef0');
    template.resourceCountIs('AWS::EC2::PlacementGroup', 0);
  });
});
