import { Aspects, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { isNitroInstanceType } from '../../lib/hardware';
import { InvocationApi } from '../../lib/invocation';
import { Isolation, NitroIsolation, NitroIsolationProps } from '../../lib/isolation';
import { TrainiumPrefillFleet } from '../../lib/prefill';
import { DisaggregatedInference } from '../../lib/disaggregated-inference';
import { testStack } from '../app/test-app';
import { fleetScaffold, launchTemplateData } from '../prefill/fleet-fixtures';

/** A stack with one prefill fleet of `type` under NitroIsolation(`isolation`). */
function fleetStack(type: string, isolation: NitroIsolationProps, placementGroup = true): Stack {
  const { stack, network, model } = fleetScaffold(testStack(), { placementGroup });
  new TrainiumPrefillFleet(stack, 'Prefill', { network, model, instanceType: new ec2.InstanceType(type) });
  NitroIsolation.applyTo(stack, isolation);
  return stack;
}

/**
 * A stack with a launch template like a fleet's (`Prefill/LaunchTemplate`: IMDSv2, an encrypted
 * root, an EFA primary interface, optionally a placement group) for `type`, under
 * NitroIsolation(`isolation`). For types the fleets refuse (trn1: no disaggregated inference in
 * vllm-neuron), whose isolation rules still hold for any launch template.
 */
function launchTemplateStack(type: string, isolation: NitroIsolationProps, placementGroup: boolean): Stack {
  const stack = testStack();
  new ec2.CfnLaunchTemplate(new Construct(stack, 'Prefill'), 'LaunchTemplate', {
    launchTemplateData: {
      instanceType: type,
      metadataOptions: { httpTokens: 'required' },
      blockDeviceMappings: [{ deviceName: '/dev/sda1', ebs: { encrypted: true, volumeSize: 1024 } }],
      networkInterfaces: [{ deviceIndex: 0, networkCardIndex: 0, interfaceType: 'interface' }, { deviceIndex: 1, networkCardIndex: 0, interfaceType: 'efa-only' }],
      ...(placementGroup ? { placement: { groupName: 'efa-cluster' } } : {}),
    },
  });
  NitroIsolation.applyTo(stack, isolation);
  return stack;
}

/** A stack with one bare instance (compliant unless `props` say otherwise) under NitroIsolation. */
function instanceStack(props: Partial<ec2.CfnInstanceProps>): Stack {
  const stack = testStack();
  new ec2.CfnInstance(stack, 'Instance', {
    imageId: ec2.MachineImage.latestAmazonLinux2023().getImage(stack).imageId,
    instanceType: 'm7i.large',
    metadataOptions: { httpTokens: 'required' },
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeSize: 20 } }],
    ...props,
  });
  NitroIsolation.applyTo(stack);
  return stack;
}

describe('NitroIsolation over a fleet', () => {
  test('with defaults it leaves the compliant launch template as it is', () => {
    const data = launchTemplateData(Template.fromStack(fleetStack('trn2.48xlarge', {})));
    expect(data.EnclaveOptions).toBeUndefined();
    expect(data.Placement.Tenancy).toBeUndefined();
  });

  test('enclaves on trn2.48xlarge are enabled in the launch template', () => {
    const data = launchTemplateData(Template.fromStack(fleetStack('trn2.48xlarge', { enclaves: true })));
    expect(data.EnclaveOptions).toEqual({ Enabled: true });
  });

  test('enclaves on a type without them (trn1.32xlarge) are a synth error naming the resource and the fix', () => {
    expect(() => Template.fromStack(launchTemplateStack('trn1.32xlarge', { enclaves: true }, true))).toThrow(
      /NitroIsolation: Test\/Prefill\/LaunchTemplate: Nitro Enclaves are not supported on trn1.32xlarge; use a type with enclaves \(trn2.3xlarge, trn2.48xlarge, trn2u.48xlarge\) or set enclaves: false/,
    );
  });

  const hosts = { dedicatedHosts: { hostResourceGroupArn: 'arn:aws:resource-groups:us-east-2:111111111111:group/trn1-hosts' } };

  test('Dedicated Hosts on trn1.32xlarge (without a placement group) set host tenancy and the host group', () => {
    const data = launchTemplateData(Template.fromStack(launchTemplateStack('trn1.32xlarge', hosts, false)));
    expect(data.Placement).toEqual({ Tenancy: 'host', HostResourceGroupArn: hosts.dedicatedHosts.hostResourceGroupArn });
  });

  test('Dedicated Hosts on a type without them, or with a placement group, are synth errors', () => {
    expect(() => Template.fromStack(fleetStack('trn2.48xlarge', hosts, false))).toThrow(
      /Dedicated Hosts are not offered for trn2.48xlarge; use trn1.2xlarge or trn1.32xlarge, or drop dedicatedHosts/,
    );
    expect(() => Template.fromStack(launchTemplateStack('trn1.32xlarge', hosts, true))).toThrow(
      /Dedicated Hosts cannot be launched into a placement group; create the EfaNetwork with placementGroup: false/,
    );
  });

  test('a customer-managed key goes on every volume that names none', () => {
    const { stack, network, model } = fleetScaffold();
    new TrainiumPrefillFleet(stack, 'Prefill', { network, model });
    NitroIsolation.applyTo(stack, { volumeKey: new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true }) });
    const data = launchTemplateData(Template.fromStack(stack));
    expect(data.BlockDeviceMappings[0].Ebs.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VolumeKey/), 'Arn'] });
  });
});

describe('NitroIsolation checks on instances', () => {
  test('a compliant Nitro instance passes', () => {
    expect(() => Template.fromStack(instanceStack({}))).not.toThrow();
  });

  test.each([
    [{ instanceType: 't2.micro' }, /instance type 't2.micro' is not built on the AWS Nitro System; use a Nitro-based type/],
    [{ metadataOptions: { httpTokens: 'optional' } }, /IMDSv2 is not required; set MetadataOptions.HttpTokens to "required"/],
    [{ blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 20 } }] }, /EBS volume 0 is not encrypted; set encrypted: true on it/],
    [{ blockDeviceMappings: [] }, /declares no block device.*declare the root volume with encrypted: true/],
    [
      { networkInterfaces: [{ deviceIndex: '0', associatePublicIpAddress: true, subnetId: 'subnet-0123456789abcdef0' }] },
      /network interface 0 gets a public IP address; set AssociatePublicIpAddress to false/,
    ],
  ])('%j is a synth error naming the instance and the fix', (props, message) => {
    expect(() => Template.fromStack(instanceStack(props as Partial<ec2.CfnInstanceProps>))).toThrow(message);
    expect(() => Template.fromStack(instanceStack(props as Partial<ec2.CfnInstanceProps>))).toThrow(/NitroIsolation: Test\/Instance:/);
  });
});

describe('NitroIsolation over the L2 ec2.Instance', () => {
  /** An ec2.Instance with requireImdsv2 (which adds a launch template holding only the metadata options). */
  function l2InstanceStack(encrypted: boolean): Stack {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new ec2.Instance(stack, 'Instance', {
      vpc,
      instanceType: new ec2.InstanceType('m7i.large'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      requireImdsv2: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted }) }],
    });
    NitroIsolation.applyTo(stack);
    return stack;
  }

  test('a compliant instance with requireImdsv2 passes (its launch template is not asked for a type or volumes)', () => {
    const template = Template.fromStack(l2InstanceStack(true));
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } } });
  });

  test('its unencrypted volume is still an error, on the instance', () => {
    expect(() => Template.fromStack(l2InstanceStack(false))).toThrow(/NitroIsolation: Test\/Instance\/Resource: EBS volume 0 is not encrypted/);
  });
});

describe('NitroIsolation and subnets that map public addresses', () => {
  function publicVpc(stack: Stack): ec2.Vpc {
    return new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
  }

  test('an instance in such a subnet without AssociatePublicIpAddress false is an error; with it, it passes', () => {
    const stack = testStack();
    const subnetId = publicVpc(stack).publicSubnets[0].subnetId;
    const compliant = { instanceType: 'm7i.large', metadataOptions: { httpTokens: 'required' }, blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true } }] };
    new ec2.CfnInstance(stack, 'Exposed', { ...compliant, subnetId });
    new ec2.CfnInstance(stack, 'Private', { ...compliant, networkInterfaces: [{ deviceIndex: '0', subnetId, associatePublicIpAddress: false }] });
    NitroIsolation.applyTo(stack);
    const messages = () => Template.fromStack(stack);
    expect(messages).toThrow(/NitroIsolation: Test\/Exposed: it launches into Test\/Vpc\/PublicSubnet1\/Subnet, which assigns public IPv4 addresses at launch; use a private subnet, or set AssociatePublicIpAddress: false/);
    expect(messages).not.toThrow(/NitroIsolation: Test\/Private:/);
  });

  test.each([
    [undefined, true],
    [false, false],
  ])('an Auto Scaling group there whose launch template sets associatePublicIpAddress %s: error %s', (associatePublicIpAddress, fails) => {
    const stack = testStack();
    const vpc = publicVpc(stack);
    new autoscaling.AutoScalingGroup(stack, 'Group', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      launchTemplate: new ec2.LaunchTemplate(stack, 'Template', {
        instanceType: new ec2.InstanceType('m7i.large'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        requireImdsv2: true,
        associatePublicIpAddress,
        securityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
        blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true }) }],
      }),
    });
    NitroIsolation.applyTo(stack);
    const synth = () => Template.fromStack(stack);
    if (fails) {
      expect(synth).toThrow(/NitroIsolation: Test\/Group\/ASG: it launches into Test\/Vpc\/PublicSubnet1\/Subnet, which assign public IPv4 addresses at launch/);
    } else {
      expect(synth).not.toThrow();
    }
  });
});

describe('isNitroInstanceType', () => {
  test('knows the Trainium catalog, Xen families and their Nitro exceptions', () => {
    expect(isNitroInstanceType('trn1.32xlarge')).toBe(true);
    expect(isNitroInstanceType('m7i.large')).toBe(true);
    expect(isNitroInstanceType('m4.large')).toBe(false);
    expect(isNitroInstanceType('i3.large')).toBe(false);
    expect(isNitroInstanceType('i3.metal')).toBe(true);
    expect(isNitroInstanceType('p3dn.24xlarge')).toBe(true);
    expect(isNitroInstanceType('f1.2xlarge')).toBe(false);
  });
});

describe('NitroIsolation with a volume key, through DisaggregatedInference', () => {
  test('both fleets encrypt with the key, and the key lets the Auto Scaling service-linked role use it', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
    new DisaggregatedInference(stack, 'Inference', { isolation: Isolation.nitro({ volumeKey: key }), invocation: InvocationApi.none() });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    const templates = Object.values(template.findResources('AWS::EC2::LaunchTemplate')) as any[];
    expect(templates).toHaveLength(2);
    for (const lt of templates) expect(lt.Properties.LaunchTemplateData.BlockDeviceMappings[0].Ebs.KmsKeyId).toEqual(keyArn);
    const statements: any[] = Object.values(template.findResources('AWS::KMS::Key')).flatMap((k: any) => k.Properties.KeyPolicy.Statement);
    const forAutoScaling = statements.filter((st) => JSON.stringify(st.Principal ?? {}).includes('autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'));
    expect(forAutoScaling.length).toBeGreaterThan(0);
    expect(forAutoScaling.flatMap((st) => st.Action)).toEqual(expect.arrayContaining(['kms:CreateGrant', 'kms:GenerateDataKey*', 'kms:Decrypt']));
  });
});

describe('NitroIsolation checks what CloudFormation gets, after every change', () => {
  /** A prefill fleet under NitroIsolation; `change` then runs on its launch template, after the isolation was applied. */
  function fleetChangedLater(change: (template: ec2.CfnLaunchTemplate) => void): Stack {
    const { stack, network, model } = fleetScaffold(testStack());
    const fleet = new TrainiumPrefillFleet(stack, 'Prefill', { network, model });
    NitroIsolation.applyTo(stack);
    change(fleet.launchTemplate);
    return stack;
  }

  test('a property override turning IMDSv1 back on is a synth error naming the template', () => {
    const stack = fleetChangedLater((template) => template.addPropertyOverride('LaunchTemplateData.MetadataOptions.HttpTokens', 'optional'));
    expect(() => Template.fromStack(stack)).toThrow(
      /NitroIsolation: Test\/Prefill\/LaunchTemplate: IMDSv2 is not required; set MetadataOptions.HttpTokens to "required"/,
    );
  });

  test('a property override giving the primary interface a public address is a synth error', () => {
    const stack = fleetChangedLater((template) =>
      template.addPropertyOverride('LaunchTemplateData.NetworkInterfaces.0.AssociatePublicIpAddress', true),
    );
    expect(() => Template.fromStack(stack)).toThrow(
      /NitroIsolation: Test\/Prefill\/LaunchTemplate: network interface 0 gets a public IP address; set AssociatePublicIpAddress to false/,
    );
  });

  test('an Aspect that runs after the isolation settings and exposes an instance is a synth error', () => {
    const stack = testStack();
    new ec2.CfnInstance(stack, 'Instance', {
      instanceType: 'm7i.large',
      metadataOptions: { httpTokens: 'required' },
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true } }],
      networkInterfaces: [{ deviceIndex: '0', subnetId: 'subnet-0123456789abcdef0', associatePublicIpAddress: false }],
    });
    NitroIsolation.applyTo(stack);
    // Default priority: it runs after NitroIsolation's mutating one.
    Aspects.of(stack).add({
      visit: (node) => {
        if (node instanceof ec2.CfnInstance) node.networkInterfaces = [{ deviceIndex: '0', subnetId: 'subnet-0123456789abcdef0', associatePublicIpAddress: true }];
      },
    });
    expect(() => Template.fromStack(stack)).toThrow(/NitroIsolation: Test\/Instance: network interface 0 gets a public IP address/);
  });

  test('a later change that makes a resource compliant is accepted: the final state is what is checked', () => {
    const stack = instanceStack({ metadataOptions: { httpTokens: 'optional' } });
    (stack.node.findChild('Instance') as ec2.CfnInstance).addPropertyOverride('MetadataOptions.HttpTokens', 'required');
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
