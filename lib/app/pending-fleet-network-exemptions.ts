import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { acknowledgeGuardRule } from '../controls';
import { TrainiumDecodeFleet } from '../decode';
import type { DisaggregatedInference } from '../disaggregated-inference';
import type { TrainiumServerFleet } from '../fleet';

// TODO(h11a): this whole file. The AWS Control Tower findings below are the fleets' and the
// network's, which the h11a branch (issue 11: fleets and network) fixes or acknowledges in their
// own code. Each entry names the rule, the resources and what h11a does about it; until it lands
// they are acknowledged here so the controls run on every synth. The merge deletes this file and
// its one call in default-app.ts; the controls test (test/app/controls.test.ts) then proves the
// fixes, and its list of exemptions gains the ones h11a acknowledges for good (CT.EC2.PR.9,
// CT.EC2.PR.15, CT.AUTOSCALING.PR.1 and PR.6, and whatever it decides for the NLB's logs and
// deletion protection), each with the reason written on its resource.

interface PendingExemption {
  /** The cfn-guard rule name (what its acknowledgement id carries). */
  readonly rule: string;
  /** The Control Tower control, for people. */
  readonly control: string;
  /** The resources it fails on. */
  readonly resources: (inference: DisaggregatedInference) => Array<IConstruct | undefined>;
  /** What the h11a branch does about it. */
  readonly h11a: string;
}

const fleets = (inference: DisaggregatedInference): TrainiumServerFleet[] => [
  ...(inference.prefillFleet ? [inference.prefillFleet] : []),
  ...[inference.decodeEndpoint, inference.optimizedDecodeEndpoint].filter((tier) => tier instanceof TrainiumDecodeFleet),
];
const flowLogGroup = (inference: DisaggregatedInference) => [inference.network?.node.tryFindChild('FlowLogGroup')];

/** Every pending exemption, as the four apps of the controls test meet them. */
export const PENDING_FLEET_NETWORK_EXEMPTIONS: PendingExemption[] = [
  // TODO(h11a)
  {
    rule: 'lambda_inside_vpc_check',
    control: 'CT.LAMBDA.PR.3',
    resources: (i) => [Stack.of(i).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider')],
    h11a: 'acknowledges it beside the VPC it creates: aws-cdk-lib\'s own provider that strips the default security group\'s rules, with no VPC setting',
  },
  // TODO(h11a)
  { rule: 'cloudwatch_log_group_retention_period_check', control: 'CT.CLOUDWATCH.PR.2', resources: flowLogGroup, h11a: 'keeps the VPC flow logs a year' },
  // TODO(h11a)
  { rule: 'cloudwatch_log_group_encrypted_check', control: 'CT.CLOUDWATCH.PR.3', resources: flowLogGroup, h11a: 'encrypts the VPC flow logs with a customer-managed key' },
  // TODO(h11a)
  {
    rule: 'subnet_auto_assign_public_ip_disabled_check',
    control: 'CT.EC2.PR.11',
    resources: (i) => i.network?.vpc.publicSubnets ?? [],
    h11a: 'turns off MapPublicIpOnLaunch on the public (NAT gateway) subnets',
  },
  // TODO(h11a)
  { rule: 'ec2_launch_template_monitoring_enabled_check', control: 'CT.EC2.PR.10', resources: (i) => fleets(i).map((f) => f.launchTemplate), h11a: 'turns on detailed monitoring' },
  // TODO(h11a)
  {
    rule: 'ec2_launch_template_public_ip_disabled_check',
    control: 'CT.EC2.PR.9',
    resources: (i) => fleets(i).map((f) => f.launchTemplate),
    h11a: 'acknowledges it: EC2 refuses AssociatePublicIpAddress on a launch with several network interfaces',
  },
  // TODO(h11a)
  {
    rule: 'ec2_launch_template_nitro_instance_type_check',
    control: 'CT.EC2.PR.15',
    resources: (i) => fleets(i).map((f) => f.launchTemplate),
    h11a: 'acknowledges it: the rule\'s Nitro list has no trn2 types, which are Nitro v5',
  },
  // TODO(h11a)
  {
    rule: 'autoscaling_multiple_az_check',
    control: 'CT.AUTOSCALING.PR.1',
    resources: (i) => fleets(i).map((f) => f.autoScalingGroup),
    h11a: 'acknowledges it: EFA traffic does not cross Availability Zones, and a Capacity Block is in one',
  },
  // TODO(h11a)
  {
    rule: 'autoscaling_mixed_instances_policy_multiple_instance_types_check',
    control: 'CT.AUTOSCALING.PR.6',
    resources: (i) => fleets(i).map((f) => f.autoScalingGroup),
    h11a: 'acknowledges it: tensor parallelism and compiled artifacts are per instance type',
  },
  // TODO(h11a)
  { rule: 'nlb_cross_zone_load_balancing_enabled_check', control: 'CT.ELASTICLOADBALANCING.PR.14', resources: (i) => fleets(i).map((f) => f.loadBalancer), h11a: 'turns on cross-zone load balancing' },
  // TODO(h11a)
  { rule: 'elbv2_deletion_protection_enabled_check', control: 'CT.ELASTICLOADBALANCING.PR.5', resources: (i) => fleets(i).map((f) => f.loadBalancer), h11a: 'deletion protection (a prop) or its acknowledgement' },
  // TODO(h11a)
  { rule: 'elbv2_logging_enabled_check', control: 'CT.ELASTICLOADBALANCING.PR.6', resources: (i) => fleets(i).map((f) => f.loadBalancer), h11a: 'access logs or their acknowledgement (NLBs log TLS listeners only)' },
];

/** Acknowledges the pending findings on `inference`'s fleets and network. */
export function acknowledgePendingFleetNetworkFindings(inference: DisaggregatedInference): void {
  for (const pending of PENDING_FLEET_NETWORK_EXEMPTIONS) {
    for (const resource of pending.resources(inference)) {
      if (!resource) continue;
      acknowledgeGuardRule(resource, pending.rule, `${pending.control}: pending the fleet and network work of issue 11 (branch h11a), which ${pending.h11a}.`);
    }
  }
}
