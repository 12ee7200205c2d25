import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ModelSource } from '../../lib/fleet';
import { EfaNetwork, EfaNetworkProps } from '../../lib/network';
import { testStack } from '../app/test-app';

/** A two-day Capacity Block of two instances, in the future of any test run. */
export const CAPACITY_BLOCK = {
  reservationId: 'cr-0123456789abcdef0',
  startTime: new Date('2030-08-05T11:30:00Z'),
  endTime: new Date('2030-08-07T11:30:00Z'),
  instanceCount: 2,
} as const;

/** A stack with an EFA network and a Hugging Face model with a token secret, ready for a fleet. */
export function fleetScaffold(stack: Stack = testStack(), networkProps: EfaNetworkProps = {}) {
  const network = new EfaNetwork(stack, 'Net', { interfaceEndpoints: false, ...networkProps });
  const tokenSecret = new secretsmanager.Secret(stack, 'HfToken');
  const model = ModelSource.huggingFace('meta-llama/Llama-3.3-70B-Instruct', { tokenSecret });
  return { stack, network, model, tokenSecret };
}

/** The launch template data of the only launch template in `template`. */
export function launchTemplateData(template: Template): Record<string, any> {
  const templates = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
  expect(templates).toHaveLength(1);
  return (templates[0] as any).Properties.LaunchTemplateData;
}

/** The statements of the fleet's instance role policy (`Prefill/InstanceRole/DefaultPolicy`). */
export function instanceRoleStatements(template: Template): Array<Record<string, any>> {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('PrefillInstanceRoleDefaultPolicy'));
  expect(policies).toHaveLength(1);
  return (policies[0][1] as any).Properties.PolicyDocument.Statement;
}

/** The user data script as text, with CloudFormation tokens shown as `${...}`. */
export function userDataText(data: Record<string, any>): string {
  const join = data.UserData['Fn::Base64']['Fn::Join'];
  return join[1].map((part: unknown) => (typeof part === 'string' ? part : '${' + JSON.stringify(part) + '}')).join(join[0]);
}

/**
 * Asserts AWS's recommended EFA layout on a launch template: the primary ENA interface on card 0
 * device 0, exactly one EFA-only interface on each of `cards` network cards (card 0 at device 1,
 * the others at device 0), the same security groups on every interface and no SecurityGroupIds,
 * IMDSv2, encrypted volumes, and no public-address setting on any interface.
 */
export function expectEfaLaunchTemplate(data: Record<string, any>, cards: number): void {
  const interfaces: any[] = data.NetworkInterfaces;
  expect(interfaces[0]).toMatchObject({ NetworkCardIndex: 0, DeviceIndex: 0, InterfaceType: 'interface' });
  const efa = interfaces.filter((ni) => ni.InterfaceType === 'efa' || ni.InterfaceType === 'efa-only');
  const perCard = new Map<number, number>();
  for (const ni of efa) perCard.set(ni.NetworkCardIndex, (perCard.get(ni.NetworkCardIndex) ?? 0) + 1);
  expect([...perCard.keys()].sort((a, b) => a - b)).toEqual([...Array(cards).keys()]);
  expect([...perCard.values()].every((n) => n === 1)).toBe(true);
  for (const ni of efa) {
    expect(ni.InterfaceType).toBe('efa-only');
    expect(ni.DeviceIndex).toBe(ni.NetworkCardIndex === 0 ? 1 : 0);
  }
  expect(interfaces).toHaveLength(cards + 1);
  const groups = JSON.stringify(interfaces[0].Groups);
  expect(interfaces[0].Groups).toHaveLength(2);
  for (const ni of interfaces) expect(JSON.stringify(ni.Groups)).toBe(groups);
  expect(data.SecurityGroupIds).toBeUndefined();
  expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required' });
  expect(data.BlockDeviceMappings.length).toBeGreaterThan(0);
  for (const bdm of data.BlockDeviceMappings) expect(bdm.Ebs.Encrypted).toBe(true);
  // No public address, and no AssociatePublicIpAddress at all: EC2 refuses it (even false) with several interfaces.
  for (const ni of interfaces) expect(ni.AssociatePublicIpAddress).toBeUndefined();
}
