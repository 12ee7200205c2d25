import { Annotations, AspectPriority, Aspects, IAspect, Stack, Tokenization } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { TRAINIUM_INSTANCE_TYPES, isNitroInstanceType } from '../hardware';

/** Dedicated Host placement for the instances. */
export interface DedicatedHostOptions {
  /**
   * The host resource group (AWS License Manager) the instances launch onto; Auto Scaling needs
   * one to place instances on Dedicated Hosts.
   */
  readonly hostResourceGroupArn: string;
}

/** Options of {@link NitroIsolation}. */
export interface NitroIsolationProps {
  /**
   * Enable AWS Nitro Enclaves on every instance. Refused on types without enclave support (trn1).
   * @default false
   */
  readonly enclaves?: boolean;
  /**
   * Run every instance on Dedicated Hosts (tenancy `host`). Refused on types without Dedicated Host
   * support (only trn1.2xlarge and trn1.32xlarge have it) and with a placement group.
   * @default - default tenancy
   */
  readonly dedicatedHosts?: DedicatedHostOptions;
  /**
   * Customer-managed KMS key set on every EBS volume that names none. Instances that Auto Scaling
   * launches need the key to allow the `AWSServiceRoleForAutoScaling` service-linked role:
   * `DisaggregatedInference` passes this key to its fleets, which grant that; give your own fleets
   * the key as their `volumeKey` for the same.
   * @default - volumes keep the key they name, or the AWS-managed EBS key
   */
  readonly volumeKey?: kms.IKey;
}

/** The launch-template or instance fields the checks read, in one shape. */
interface InstanceSettings {
  readonly instanceType?: string;
  readonly httpTokens?: string;
  readonly hasLaunchTemplate: boolean;
  /** A launch template an instance completes: the instance's own type and volumes are checked there. */
  readonly completedByInstance?: boolean;
  readonly blockDeviceMappings: Array<{ ebs?: { encrypted?: unknown } }>;
  readonly networkInterfaces: Array<{ associatePublicIpAddress?: unknown }>;
  readonly placementGroup?: unknown;
}

/**
 * Nitro-isolated placement, as an Aspect over every launch template and instance in scope.
 *
 * It first applies the options (enclaves, Dedicated Hosts, the volume key), then checks: a
 * Nitro-based instance type, IMDSv2 required, every declared EBS volume encrypted (and at least the
 * root declared), no public address on any interface (nor one a subnet maps at launch to an instance
 * or Auto Scaling group without AssociatePublicIpAddress false). A violation is a synth error on the resource
 * that says the fix. `DisaggregatedInference` applies it; use `NitroIsolation.applyTo(scope)` alone.
 */
export class NitroIsolation implements IAspect {
  /** Applies the aspect to `scope` with mutating priority, so later validating aspects see its changes. */
  public static applyTo(scope: IConstruct, props: NitroIsolationProps = {}): NitroIsolation {
    const aspect = new NitroIsolation(props);
    Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
    return aspect;
  }

  constructor(private readonly props: NitroIsolationProps = {}) {}

  public visit(node: IConstruct): void {
    if (node instanceof ec2.CfnLaunchTemplate) this.visitLaunchTemplate(node);
    else if (node instanceof ec2.CfnInstance) this.visitInstance(node);
    else if (node instanceof autoscaling.CfnAutoScalingGroup) this.visitAutoScalingGroup(node);
  }

  /**
   * A group launching into a subnet that maps public IPv4 addresses gives its instances one unless
   * the launch template's primary interface says otherwise.
   */
  private visitAutoScalingGroup(group: autoscaling.CfnAutoScalingGroup): void {
    const stack = Stack.of(group);
    const subnets = publicIpSubnets(group, stack.resolve(group.vpcZoneIdentifier));
    if (subnets.length === 0) return;
    const spec = stack.resolve(group.launchTemplate) ?? stack.resolve(group.mixedInstancesPolicy)?.launchTemplate?.launchTemplateSpecification;
    const templateRef = JSON.stringify(stack.resolve(spec?.launchTemplateId ?? spec?.launchTemplateName));
    const template = stack.node.findAll().find(
      (c): c is ec2.CfnLaunchTemplate => c instanceof ec2.CfnLaunchTemplate && templateRef?.includes(`"${stack.getLogicalId(c)}"`),
    );
    if (!template) return;
    const interfaces = stack.resolve(template.launchTemplateData)?.networkInterfaces ?? [];
    if (!getsPublicAddress(interfaces)) return;
    this.error(group, `it launches into ${subnets.join(', ')}, which assign public IPv4 addresses at launch, and its launch ` +
      'template does not turn that off; use private subnets, or set AssociatePublicIpAddress: false on the primary interface.');
  }

  private visitLaunchTemplate(template: ec2.CfnLaunchTemplate): void {
    const data = template.launchTemplateData as ec2.CfnLaunchTemplate.LaunchTemplateDataProperty;
    if (Tokenization.isResolvable(data)) {
      this.error(template, 'its launch template data is a token, which NitroIsolation cannot inspect; give the data as an object.');
      return;
    }
    const placement = (data.placement ?? {}) as ec2.CfnLaunchTemplate.PlacementProperty;
    template.launchTemplateData = {
      ...data,
      ...(this.props.enclaves ? { enclaveOptions: { enabled: true } } : {}),
      ...(this.props.dedicatedHosts
        ? { placement: { ...placement, tenancy: 'host', hostResourceGroupArn: this.props.dedicatedHosts.hostResourceGroupArn } }
        : {}),
      blockDeviceMappings: this.withVolumeKey(data.blockDeviceMappings),
    };
    const resolved = Stack.of(template).resolve(template.launchTemplateData);
    this.check(template, {
      instanceType: resolved.instanceType,
      httpTokens: resolved.metadataOptions?.httpTokens,
      hasLaunchTemplate: false,
      // ec2.Instance's requireImdsv2 adds a launch template (its child) holding only the metadata options.
      completedByInstance: template.node.scope instanceof ec2.Instance,
      blockDeviceMappings: resolved.blockDeviceMappings ?? [],
      networkInterfaces: resolved.networkInterfaces ?? [],
      placementGroup: resolved.placement?.groupName,
    });
  }

  private visitInstance(instance: ec2.CfnInstance): void {
    if (this.props.enclaves) instance.enclaveOptions = { enabled: true };
    if (this.props.dedicatedHosts) {
      instance.tenancy = 'host';
      instance.hostResourceGroupArn = this.props.dedicatedHosts.hostResourceGroupArn;
    }
    if (!Tokenization.isResolvable(instance.blockDeviceMappings)) {
      instance.blockDeviceMappings = this.withVolumeKey(instance.blockDeviceMappings);
    }
    const stack = Stack.of(instance);
    const metadata = stack.resolve(instance.metadataOptions);
    const interfaces = stack.resolve(instance.networkInterfaces) ?? [];
    const subnets = publicIpSubnets(instance, [stack.resolve(instance.subnetId), ...interfaces.map((ni: { subnetId?: unknown }) => ni.subnetId)]);
    if (subnets.length > 0 && getsPublicAddress(interfaces)) {
      this.error(instance, `it launches into ${subnets.join(', ')}, which assigns public IPv4 addresses at launch; use a private ` +
        'subnet, or set AssociatePublicIpAddress: false on its primary interface.');
    }
    this.check(instance, {
      instanceType: stack.resolve(instance.instanceType),
      httpTokens: metadata?.httpTokens,
      // ec2.Instance's requireImdsv2 sets IMDSv2 in a launch template of its own, which is checked there.
      hasLaunchTemplate: instance.launchTemplate !== undefined,
      blockDeviceMappings: stack.resolve(instance.blockDeviceMappings) ?? [],
      networkInterfaces: stack.resolve(instance.networkInterfaces) ?? [],
      placementGroup: stack.resolve(instance.placementGroupName),
    });
  }

  /** Sets the volume key on every EBS mapping that names none. */
  private withVolumeKey<T>(mappings: T): T {
    const key = this.props.volumeKey;
    if (!key || !Array.isArray(mappings)) return mappings;
    return mappings.map((m) =>
      m.ebs && !Tokenization.isResolvable(m.ebs) && !m.ebs.kmsKeyId ? { ...m, ebs: { ...m.ebs, kmsKeyId: key.keyArn } } : m,
    ) as T;
  }

  private check(node: IConstruct, s: InstanceSettings): void {
    const type = typeof s.instanceType === 'string' ? s.instanceType : undefined;
    const spec = TRAINIUM_INSTANCE_TYPES.find((t) => t.name === type);
    if (type === undefined) {
      if (!s.completedByInstance) this.error(node, 'it names no instance type, so it cannot be shown to be Nitro-based; set the instance type.');
    } else if (!isNitroInstanceType(type)) {
      this.error(node, `instance type '${type}' is not built on the AWS Nitro System; use a Nitro-based type such as trn2.48xlarge.`);
    }
    if (this.props.enclaves && spec && !spec.enclaves) {
      this.error(node, `Nitro Enclaves are not supported on ${type}; use a type with enclaves (${TRAINIUM_INSTANCE_TYPES.filter((t) => t.enclaves).map((t) => t.name).join(', ')}) or set enclaves: false.`);
    }
    if (this.props.dedicatedHosts && spec && !spec.dedicatedHosts) {
      this.error(node, `Dedicated Hosts are not offered for ${type}; use ${TRAINIUM_INSTANCE_TYPES.filter((t) => t.dedicatedHosts).map((t) => t.name).join(' or ')}, or drop dedicatedHosts.`);
    }
    if (this.props.dedicatedHosts && s.placementGroup) {
      this.error(node, 'Dedicated Hosts cannot be launched into a placement group; create the EfaNetwork with placementGroup: false.');
    }
    if (s.httpTokens !== 'required' && !s.hasLaunchTemplate) {
      this.error(node, 'IMDSv2 is not required; set MetadataOptions.HttpTokens to "required" (requireImdsv2: true on the L2 constructs).');
    }
    if (s.blockDeviceMappings.length === 0 && !s.completedByInstance) {
      this.error(node, 'it declares no block device, so the root volume\'s encryption is left to the AMI; declare the root volume with encrypted: true.');
    }
    s.blockDeviceMappings.forEach((m, i) => {
      if (m.ebs && m.ebs.encrypted !== true) {
        this.error(node, `EBS volume ${i} is not encrypted; set encrypted: true on it.`);
      }
    });
    s.networkInterfaces.forEach((ni, i) => {
      if (ni.associatePublicIpAddress === true) {
        this.error(node, `network interface ${i} gets a public IP address; set AssociatePublicIpAddress to false and reach the instance through a load balancer or SSM.`);
      }
    });
  }

  private error(node: IConstruct, problem: string): void {
    Annotations.of(node).addError(`NitroIsolation: ${node.node.path}: ${problem}`);
  }
}

/** The paths of the app's subnets referenced in `resolvedSubnetIds` that map public IPv4 addresses at launch. */
function publicIpSubnets(scope: IConstruct, resolvedSubnetIds: unknown): string[] {
  const stack = Stack.of(scope);
  const refs = JSON.stringify(resolvedSubnetIds ?? null);
  return stack.node.findAll()
    .filter((c): c is ec2.CfnSubnet => c instanceof ec2.CfnSubnet && stack.resolve(c.mapPublicIpOnLaunch) === true)
    .filter((subnet) => refs.includes(`"${stack.getLogicalId(subnet)}"`))
    .map((subnet) => subnet.node.path);
}

/**
 * Whether an instance in a subnet that maps public addresses gets one: with one interface (or
 * none declared) unless the primary sets AssociatePublicIpAddress false; never with several.
 */
function getsPublicAddress(interfaces: Array<{ deviceIndex?: unknown; associatePublicIpAddress?: unknown }>): boolean {
  if (interfaces.length > 1) return false;
  return interfaces[0]?.associatePublicIpAddress !== false;
}
