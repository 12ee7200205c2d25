import { CfnResource, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { IConstruct, IValidation } from 'constructs';
import { TRAINIUM_INSTANCE_TYPES, isNitroInstanceType } from '../hardware';
import type { NitroIsolationProps } from './nitro-isolation-props';

/** CloudFormation properties as rendered, in CloudFormation's own (PascalCase) names. */
type Rendered = Record<string, any>;

/** The launch-template or instance fields the checks read, in one shape. */
interface InstanceSettings {
  readonly instanceType?: unknown;
  readonly httpTokens?: unknown;
  readonly hasLaunchTemplate: boolean;
  /** A launch template an instance completes: the instance's own type and volumes are checked there. */
  readonly completedByInstance?: boolean;
  readonly blockDeviceMappings: Array<{ Ebs?: { Encrypted?: unknown } }>;
  readonly networkInterfaces: Array<{ AssociatePublicIpAddress?: unknown }>;
  readonly placementGroup?: unknown;
}

/**
 * The checks of Nitro-isolated placement on one launch template, instance or Auto Scaling group: a
 * Nitro-based instance type, IMDSv2 required, every declared EBS volume encrypted (and at least the
 * root declared), no public address on any interface (nor one a subnet maps at launch), and the
 * requested enclaves or Dedicated Hosts possible on the type.
 *
 * A validation (`node.addValidation`), so it runs after every Aspect, and it reads the resource
 * as CloudFormation will get it (property overrides included): a change made after the settings
 * were applied is checked too. It only reads.
 */
export class NitroIsolationChecks implements IValidation {
  constructor(
    private readonly resource: ec2.CfnLaunchTemplate | ec2.CfnInstance | autoscaling.CfnAutoScalingGroup,
    private readonly props: NitroIsolationProps,
  ) {}

  public validate(): string[] {
    const r = this.resource;
    const problems =
      r instanceof ec2.CfnLaunchTemplate ? this.checkLaunchTemplate(r)
        : r instanceof ec2.CfnInstance ? this.checkInstance(r)
          : this.checkAutoScalingGroup(r);
    return problems.map((problem) => `NitroIsolation: ${r.node.path}: ${problem}`);
  }

  private checkLaunchTemplate(template: ec2.CfnLaunchTemplate): string[] {
    const data: Rendered = rendered(template).LaunchTemplateData ?? {};
    return this.check({
      instanceType: data.InstanceType,
      httpTokens: data.MetadataOptions?.HttpTokens,
      hasLaunchTemplate: false,
      // ec2.Instance's requireImdsv2 adds a launch template (its child) holding only the metadata options.
      completedByInstance: template.node.scope instanceof ec2.Instance,
      blockDeviceMappings: data.BlockDeviceMappings ?? [],
      networkInterfaces: data.NetworkInterfaces ?? [],
      placementGroup: data.Placement?.GroupName,
    });
  }

  private checkInstance(instance: ec2.CfnInstance): string[] {
    const props = rendered(instance);
    const interfaces: Rendered[] = props.NetworkInterfaces ?? [];
    const problems: string[] = [];
    const subnets = publicIpSubnets(instance, [props.SubnetId, ...interfaces.map((ni) => ni.SubnetId)]);
    if (subnets.length > 0 && getsPublicAddress(interfaces)) {
      problems.push(`it launches into ${subnets.join(', ')}, which assigns public IPv4 addresses at launch; use a private ` +
        'subnet, or set AssociatePublicIpAddress: false on its primary interface.');
    }
    return problems.concat(this.check({
      instanceType: props.InstanceType,
      httpTokens: props.MetadataOptions?.HttpTokens,
      // ec2.Instance's requireImdsv2 sets IMDSv2 in a launch template of its own, which is checked there.
      hasLaunchTemplate: props.LaunchTemplate !== undefined,
      blockDeviceMappings: props.BlockDeviceMappings ?? [],
      networkInterfaces: interfaces,
      placementGroup: props.PlacementGroupName,
    }));
  }

  /**
   * A group launching into a subnet that maps public IPv4 addresses gives its instances one unless
   * the launch template's primary interface says otherwise.
   */
  private checkAutoScalingGroup(group: autoscaling.CfnAutoScalingGroup): string[] {
    const props = rendered(group);
    const subnets = publicIpSubnets(group, props.VPCZoneIdentifier);
    if (subnets.length === 0) return [];
    const spec = props.LaunchTemplate ?? props.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    const templateRef = JSON.stringify(spec?.LaunchTemplateId ?? spec?.LaunchTemplateName);
    const stack = Stack.of(group);
    const template = stack.node.findAll().find(
      (c): c is ec2.CfnLaunchTemplate => c instanceof ec2.CfnLaunchTemplate && templateRef?.includes(`"${stack.getLogicalId(c)}"`),
    );
    if (!template) return [];
    if (!getsPublicAddress(rendered(template).LaunchTemplateData?.NetworkInterfaces ?? [])) return [];
    return [`it launches into ${subnets.join(', ')}, which assign public IPv4 addresses at launch, and its launch ` +
      'template does not turn that off; use private subnets, or set AssociatePublicIpAddress: false on the primary interface.'];
  }

  private check(s: InstanceSettings): string[] {
    const problems: string[] = [];
    const type = typeof s.instanceType === 'string' ? s.instanceType : undefined;
    const spec = TRAINIUM_INSTANCE_TYPES.find((t) => t.name === type);
    if (type === undefined) {
      if (!s.completedByInstance) problems.push('it names no instance type, so it cannot be shown to be Nitro-based; set the instance type.');
    } else if (!isNitroInstanceType(type)) {
      problems.push(`instance type '${type}' is not built on the AWS Nitro System; use a Nitro-based type such as trn2.48xlarge.`);
    }
    if (this.props.enclaves && spec && !spec.enclaves) {
      problems.push(`Nitro Enclaves are not supported on ${type}; use a type with enclaves (${TRAINIUM_INSTANCE_TYPES.filter((t) => t.enclaves).map((t) => t.name).join(', ')}) or set enclaves: false.`);
    }
    if (this.props.dedicatedHosts && spec && !spec.dedicatedHosts) {
      problems.push(`Dedicated Hosts are not offered for ${type}; use ${TRAINIUM_INSTANCE_TYPES.filter((t) => t.dedicatedHosts).map((t) => t.name).join(' or ')}, or drop dedicatedHosts.`);
    }
    if (this.props.dedicatedHosts && s.placementGroup) {
      problems.push('Dedicated Hosts cannot be launched into a placement group; create the EfaNetwork with placementGroup: false.');
    }
    if (s.httpTokens !== 'required' && !s.hasLaunchTemplate) {
      problems.push('IMDSv2 is not required; set MetadataOptions.HttpTokens to "required" (requireImdsv2: true on the L2 constructs).');
    }
    if (s.blockDeviceMappings.length === 0 && !s.completedByInstance) {
      problems.push('it declares no block device, so the root volume\'s encryption is left to the AMI; declare the root volume with encrypted: true.');
    }
    s.blockDeviceMappings.forEach((m, i) => {
      if (m.Ebs && m.Ebs.Encrypted !== true) problems.push(`EBS volume ${i} is not encrypted; set encrypted: true on it.`);
    });
    s.networkInterfaces.forEach((ni, i) => {
      if (ni.AssociatePublicIpAddress === true) {
        problems.push(`network interface ${i} gets a public IP address; set AssociatePublicIpAddress to false and reach the instance through a load balancer or SSM.`);
      }
    });
    return problems;
  }
}

/**
 * The resource's properties as its stack will write them: CloudFormation names, tokens resolved,
 * property overrides and later changes applied. (`_toCloudFormation` is how the stack renders each
 * resource into its template; no public method renders one resource.)
 */
function rendered(resource: CfnResource): Rendered {
  const template = Stack.of(resource).resolve(resource._toCloudFormation()) as { Resources?: Record<string, { Properties?: Rendered }> };
  return Object.values(template.Resources ?? {})[0]?.Properties ?? {};
}

/** The paths of the stack's subnets referenced in `subnetIds` (rendered) that map public IPv4 addresses at launch. */
function publicIpSubnets(scope: IConstruct, subnetIds: unknown): string[] {
  const stack = Stack.of(scope);
  const refs = JSON.stringify(subnetIds ?? null);
  return stack.node.findAll()
    .filter((c): c is ec2.CfnSubnet => c instanceof ec2.CfnSubnet && rendered(c).MapPublicIpOnLaunch === true)
    .filter((subnet) => refs.includes(`"${stack.getLogicalId(subnet)}"`))
    .map((subnet) => subnet.node.path);
}

/**
 * Whether an instance in a subnet that maps public addresses gets one: with one interface (or
 * none declared) unless the primary sets AssociatePublicIpAddress false; never with several.
 */
function getsPublicAddress(interfaces: Array<{ AssociatePublicIpAddress?: unknown }>): boolean {
  if (interfaces.length > 1) return false;
  return interfaces[0]?.AssociatePublicIpAddress !== false;
}
