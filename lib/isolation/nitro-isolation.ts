import { AspectPriority, Aspects, IAspect, Tokenization } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { NitroIsolationChecks } from './nitro-isolation-checks';
import type { NitroIsolationProps } from './nitro-isolation-props';

/**
 * Nitro-isolated placement, as an Aspect over every launch template, instance and Auto Scaling
 * group in scope.
 *
 * The Aspect applies the options (enclaves, Dedicated Hosts, the volume key) and nothing else. On
 * each resource it visits it adds a validation ({@link NitroIsolationChecks}) that checks, after
 * every Aspect ran and on the resource as CloudFormation gets it: a Nitro-based instance type,
 * IMDSv2 required, every declared EBS volume encrypted (and at least the root declared), no public
 * address on any interface (nor one a subnet maps at launch to an instance or Auto Scaling group
 * without AssociatePublicIpAddress false). A violation fails the synth with a message on the
 * resource that says the fix. `DisaggregatedInference` applies it; use `NitroIsolation.applyTo(scope)` alone.
 */
export class NitroIsolation implements IAspect {
  /** Applies the aspect to `scope` with mutating priority, so that other aspects see its settings. */
  public static applyTo(scope: IConstruct, props: NitroIsolationProps = {}): NitroIsolation {
    const aspect = new NitroIsolation(props);
    Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
    return aspect;
  }

  /** Resources that already carry this aspect's checks (an aspect may visit a node more than once). */
  private readonly checked = new WeakSet<IConstruct>();

  constructor(private readonly props: NitroIsolationProps = {}) {}

  public visit(node: IConstruct): void {
    if (node instanceof ec2.CfnLaunchTemplate) this.applyToLaunchTemplate(node);
    else if (node instanceof ec2.CfnInstance) this.applyToInstance(node);
    else if (!(node instanceof autoscaling.CfnAutoScalingGroup)) return;
    if (!this.checked.has(node)) {
      this.checked.add(node);
      node.node.addValidation(new NitroIsolationChecks(node, this.props));
    }
  }

  private applyToLaunchTemplate(template: ec2.CfnLaunchTemplate): void {
    const data = template.launchTemplateData as ec2.CfnLaunchTemplate.LaunchTemplateDataProperty;
    if (Tokenization.isResolvable(data)) {
      if (this.props.enclaves || this.props.dedicatedHosts || this.props.volumeKey) {
        template.node.addValidation({
          validate: () => [`NitroIsolation: ${template.node.path}: its launch template data is a token, to which NitroIsolation ` +
            'cannot add the enclave, Dedicated Host or volume key settings; give the data as an object.'],
        });
      }
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
  }

  private applyToInstance(instance: ec2.CfnInstance): void {
    if (this.props.enclaves) instance.enclaveOptions = { enabled: true };
    if (this.props.dedicatedHosts) {
      instance.tenancy = 'host';
      instance.hostResourceGroupArn = this.props.dedicatedHosts.hostResourceGroupArn;
    }
    if (!Tokenization.isResolvable(instance.blockDeviceMappings)) {
      instance.blockDeviceMappings = this.withVolumeKey(instance.blockDeviceMappings);
    }
  }

  /** Sets the volume key on every EBS mapping that names none. */
  private withVolumeKey<T>(mappings: T): T {
    const key = this.props.volumeKey;
    if (!key || !Array.isArray(mappings)) return mappings;
    return mappings.map((m) =>
      m.ebs && !Tokenization.isResolvable(m.ebs) && !m.ebs.kmsKeyId ? { ...m, ebs: { ...m.ebs, kmsKeyId: key.keyArn } } : m,
    ) as T;
  }
}
