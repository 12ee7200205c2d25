import { Validations } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';

/** The resources of a Trainium fleet that carry acknowledged findings. */
export interface FleetResources {
  readonly role: iam.IRole;
  readonly launchTemplate: ec2.CfnLaunchTemplate;
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly instanceTypeName: string;
  readonly loadBalancerDeletionProtection: boolean;
}

/** The cfn-guard plugin's rule namespace for `Validations.acknowledge` ids. */
const GUARD = 'cdk-validator-cfnguard::';

/**
 * Findings of cdk-nag's AwsSolutions pack and of AWS Control Tower's proactive controls
 * (`@cdklabs/cdk-validator-cfnguard`) that are deliberate for an EFA fleet, each on its resource
 * with the reason. Three follow from EFA's physics and the rule set's age: one zone, one instance
 * type per group, and a Nitro list that predates Trn2.
 */
export function acknowledgeFleetFindings(fleet: FleetResources): void {
  Validations.of(fleet.role).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'Session Manager is the only way into these instances (no SSH, no public address); AWS maintains this policy as the SSM agent\'s minimum.',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy]',
      reason: 'The CloudWatch agent ships the vLLM and Neuron logs and host metrics; AWS keeps this policy in step with the agent\'s API calls.',
    },
  );
  Validations.of(fleet.autoScalingGroup).acknowledge(
    {
      id: 'AwsSolutions-AS3',
      reason: 'Scaling and health of this group are watched through its CloudWatch group metrics (enabled) and the target group health metrics; no one consumes per-event SNS notifications.',
    },
    {
      id: `${GUARD}autoscaling_multiple_az_check`,
      reason: 'CT.AUTOSCALING.PR.1: EFA traffic does not cross Availability Zones (EC2 User Guide, EFA limitations) and a Capacity Block is one zone, so the group stays in the EFA subnet\'s zone.',
    },
    {
      id: `${GUARD}autoscaling_mixed_instances_policy_multiple_instance_types_check`,
      reason: 'CT.AUTOSCALING.PR.6: tensor parallelism, the EFA interface layout and the compiled Neuron artifacts are per instance type, and launch-template Capacity Block targeting does not support mixed instances policies (EC2 Auto Scaling User Guide).',
    },
  );
  Validations.of(fleet.launchTemplate).acknowledge(
    {
      id: `${GUARD}ec2_launch_template_nitro_instance_type_check`,
      reason: `CT.EC2.PR.15: ${fleet.instanceTypeName} is built on the AWS Nitro System (v5, EC2 User Guide), but the rule's NITRO_INSTANCE_TYPES list (cdk-validator-cfnguard 0.0.62, ct-ec2-pr-15.guard) stops at trn1/trn1n and has no trn2 or trn2u. NitroIsolation checks the type against the library's catalog instead.`,
    },
    {
      id: `${GUARD}ec2_launch_template_public_ip_disabled_check`,
      reason: 'CT.EC2.PR.9 wants AssociatePublicIpAddress: false on every interface, but EC2 refuses the parameter, even false, when an instance launches with several network interfaces (InvalidParameterCombination: "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces"; erlcloud#284, zalando-incubator/kubernetes-on-aws#8733), and an EFA launch template has one per network card. The instances get no public address: they launch into the private EFA subnet, and EC2 assigns none automatically to an instance with several interfaces; NitroIsolation checks both.',
    },
  );
  Validations.of(fleet.loadBalancer).acknowledge(
    {
      id: 'AwsSolutions-ELB2',
      reason: 'Network Load Balancers write access logs only for TLS listeners; this internal one has a single TCP listener. The VPC flow log records its traffic.',
    },
    {
      id: `${GUARD}elbv2_logging_enabled_check`,
      reason: 'CT.ELASTICLOADBALANCING.PR.6: a Network Load Balancer writes access logs only for TLS listeners (ELB User Guide, load-balancer-access-logs); this internal one has a single TCP listener, so a log bucket would stay empty. The VPC flow log records its traffic.',
    },
  );
  if (!fleet.loadBalancerDeletionProtection) {
    Validations.of(fleet.loadBalancer).acknowledge({
      id: `${GUARD}elbv2_deletion_protection_enabled_check`,
      reason: 'CT.ELASTICLOADBALANCING.PR.5: deletion protection turned off on purpose (loadBalancerDeletionProtection: false), e.g. for a stack that is destroyed and rebuilt.',
    });
  }
}
