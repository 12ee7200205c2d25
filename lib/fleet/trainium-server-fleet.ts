import { Annotations, Duration, Fn, Size, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_PREFILL_INSTANCE_TYPE, InstanceTypeSpec, disaggregatedInferenceInstanceTypes, efaInterfaceLayout, getInstanceTypeSpec } from '../hardware';
import { IEfaNetwork } from '../network';
import { PATHS } from '../runtime/openai/worker-protocol';
import { limitGrantsToAwsServices } from '../encryption';
import { scheduleCapacityBlock } from './capacity-block';
import { FleetCapacity, resolveFleetCapacity } from './fleet-capacity';
import { acknowledgeFleetFindings } from './fleet-acknowledgements';
import { PurchaseOption } from './purchase-option';
import type { FleetHosts, IServerFleet } from './server-fleet';
import type { TrainiumServerFleetProps } from './trainium-fleet-props';
import { setUpFleetServers } from './fleet-server-setup';
import { FleetTelemetry, NEURON_MONITOR_PROMETHEUS_PORT } from './fleet-telemetry';
import type { IModelArtifactCache } from './model-artifact-cache';
import { KvTransferRole, NIXL_SIDE_CHANNEL_PORT } from './vllm-server';

/**
 * Default machine image: the Neuron PyTorch Inference vLLM DLAMI (Ubuntu 24.04), Trn2 and Trn3
 * only, with the vllm-neuron environment `/opt/aws_neuronx_venv_pytorch_inference_vllm_0_24_0_1_1_0`
 * and EFA (aws-neuron-sdk `deploy/environments/dlami.rst`). Its SSM name carries the vLLM version;
 * `latest` follows that release line's updates.
 */
export const NEURON_DLAMI_SSM_PARAMETER = '/aws/service/neuron/dlami/pytorch-inference-vllm-0.24.0.1.1.0/ubuntu-24.04/latest/image_id';


/**
 * The machinery shared by every Trainium fleet that serves vLLM over EFA: an EFA launch template,
 * an Auto Scaling group in the EFA subnet, a least-privilege instance role, vLLM user data, and an
 * internal Network Load Balancer in front. Subclasses choose the KV role.
 */
export abstract class TrainiumServerFleet extends Construct implements IServerFleet {
  /** The catalog entry of the instance type. */
  public readonly instanceTypeSpec: InstanceTypeSpec;
  /** Base URL of the OpenAI-compatible server: `http://<load balancer DNS>:<port>`. */
  public readonly endpointUrl: string;
  /** Port of the server and of the load balancer listener (the `connections`' default port). */
  public readonly port: number;
  public readonly servedModelName: string;
  public readonly tensorParallelDegree: number;
  /** Fewest instances of the group. */
  public readonly minCapacity: number;
  /** Most instances the group scales to: what a capacity plan judges. */
  public readonly maxCapacity: number;
  /** Longest sequence the server accepts (`--max-model-len`); always set, optional as in the endpoint interfaces. */
  public readonly maxModelLength?: number;
  /** How long a new instance may fail the load balancer health check while its model loads. */
  public readonly healthCheckGracePeriod: Duration;
  /** Callers of the load balancer (default port: the server port). */
  public readonly connections: ec2.Connections;
  /** The hosts, for a router that routes to them directly: the target group and the instances' own security group. */
  public readonly hosts: FleetHosts;
  /** The instances' own security group (besides the network's EFA group on every interface). */
  public readonly instanceSecurityGroup: ec2.SecurityGroup;
  public readonly role: iam.Role;
  public readonly launchTemplate: ec2.CfnLaunchTemplate;
  /** The instances' Auto Scaling group. */
  public readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  public readonly targetGroup: elbv2.NetworkTargetGroup;
  /** Where the first host stages weights and compiled artifacts for the later ones. */
  public readonly artifactCache: IModelArtifactCache;
  /** vLLM, neuron-monitor and boot logs of the instances, one stream each per instance. */
  public readonly serverLogGroup: logs.ILogGroup;
  private readonly telemetry: FleetTelemetry;

  protected constructor(scope: Construct, id: string, props: TrainiumServerFleetProps, kvRole: KvTransferRole) {
    super(scope, id);
    if (!props.model) {
      throw new Error(
        `${this.describe()}: no model given. Set \`model\` to ModelSource.huggingFace('<org>/<model>', { tokenSecret }) ` +
          "or ModelSource.s3(bucket, '<prefix>').",
      );
    }
    this.instanceTypeSpec = this.resolveInstanceType(props.instanceType);
    this.warnOnUnknownRegion();
    const purchaseOption = props.purchaseOption ?? PurchaseOption.onDemand();
    const capacity = resolveFleetCapacity(props, purchaseOption, this.describe());
    this.minCapacity = capacity.min;
    this.maxCapacity = capacity.max;
    this.tensorParallelDegree = this.resolveTensorParallelDegree(props.tensorParallelDegree);
    this.maxModelLength = props.maxModelLength ?? 8192;
    this.healthCheckGracePeriod = props.healthCheckGracePeriod ?? Duration.minutes(60);
    this.port = this.resolvePort(props.port);

    this.role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `${this.node.path}: SSM, CloudWatch agent, the model's source and its artifact-cache entries only`,
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'),
      ],
    });
    const model = props.model.bind(this.role);
    this.servedModelName = props.servedModelName ?? model.defaultServedModelName;

    this.instanceSecurityGroup = this.createInstanceSecurityGroup(props.network);
    const servers = setUpFleetServers(this, {
      role: this.role,
      serve: {
        model,
        servedModelName: this.servedModelName,
        tensorParallelDegree: this.tensorParallelDegree,
        maxModelLength: this.maxModelLength,
        port: this.port,
        kvRole,
        extraArgs: props.vllmExtraArgs ?? [],
      },
      instanceTypeName: this.instanceTypeSpec.name,
      options: props,
      healthCheckGracePeriod: this.healthCheckGracePeriod,
      description: this.describe(),
    });
    this.artifactCache = servers.artifactCache;
    this.telemetry = servers.telemetry;
    this.serverLogGroup = servers.telemetry.serverLogs;
    this.launchTemplate = this.createLaunchTemplate(props, purchaseOption, servers.userData);
    this.grantVolumeKey(props.volumeKey);
    const group = this.createAutoScalingGroup(props, capacity);
    this.autoScalingGroup = group;
    if (purchaseOption.capacityBlockOptions) scheduleCapacityBlock(this, group.autoScalingGroupName, purchaseOption.capacityBlockOptions);
    const loadBalancerDeletionProtection = props.loadBalancerDeletionProtection ?? true;
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.subnetSelection,
      internetFacing: false,
      // One zone today; cross-zone costs nothing there and keeps targets reachable if the subnets grow (CT.ELASTICLOADBALANCING.PR.14).
      crossZoneEnabled: true,
      deletionProtection: loadBalancerDeletionProtection,
    });
    this.targetGroup = this.createTargets(group);
    this.connections = new ec2.Connections({
      securityGroups: this.loadBalancer.connections.securityGroups,
      defaultPort: ec2.Port.tcp(this.port),
    });
    this.hosts = {
      targetGroupArn: this.targetGroup.targetGroupArn,
      port: this.port,
      connections: new ec2.Connections({ securityGroups: [this.instanceSecurityGroup], defaultPort: ec2.Port.tcp(this.port) }),
    };
    this.endpointUrl = `http://${this.loadBalancer.loadBalancerDnsName}:${this.port}`;
    acknowledgeFleetFindings({
      role: this.role,
      launchTemplate: this.launchTemplate,
      autoScalingGroup: group,
      loadBalancer: this.loadBalancer,
      instanceTypeName: this.instanceTypeSpec.name,
      loadBalancerDeletionProtection,
    });
  }

  /** Nothing beyond the network: the server has no API key; reach it through `connections`. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.drop(grantee, `call ${this.node.path}, an OpenAI-compatible server without an API key`);
  }

  /** Instances passing the load balancer's `/health` check. */
  public metricHealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.healthyHostCount(props);
  }

  /** Instances failing the load balancer's `/health` check. */
  public metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.unHealthyHostCount(props);
  }

  /** The fleet itself: the invocation layer scales it, alarms on its health, charts it and routes to its hosts. */
  public get fleet(): IServerFleet {
    return this;
  }

  public metricRunningRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.telemetry.metricVllmGauge('running', props);
  }

  public metricWaitingRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.telemetry.metricVllmGauge('waiting', props);
  }

  /** NeuronCore utilization (0 to 1) across the fleet, from neuron-monitor through the CloudWatch agent. */
  public metricNeuronCoreUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.telemetry.metricNeuronCoreUtilization(props);
  }

  /** Instances in service in the Auto Scaling group (group metrics are enabled for this). */
  public metricInServiceInstances(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/AutoScaling',
      metricName: 'GroupInServiceInstances',
      dimensionsMap: { AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName },
      statistic: cloudwatch.Stats.MINIMUM,
      ...props,
    });
  }

  /** `TrainiumPrefillFleet 'App/Stack/Prefill'`, for messages. */
  protected describe(): string {
    return `${this.constructor.name} '${this.node.path}'`;
  }

  /**
   * The catalog entry of the requested type, which must have EFA (the KV hand-off) and run
   * disaggregated inference in the software on the default image (Trn2/Trn3, not Trn1).
   */
  private resolveInstanceType(instanceType?: ec2.InstanceType): InstanceTypeSpec {
    const name = instanceType?.toString() ?? DEFAULT_PREFILL_INSTANCE_TYPE;
    const usable = disaggregatedInferenceInstanceTypes().map((t) => t.name).join(', ');
    let spec: InstanceTypeSpec;
    try {
      spec = getInstanceTypeSpec(name);
    } catch {
      throw new Error(`${this.describe()}: instance type '${name}' is not a Trainium type. Use one of ${usable}.`);
    }
    if (!spec.efa.supported) {
      throw new Error(
        `${this.describe()}: instance type '${name}' has no EFA, which the KV hand-off needs. Use one of ${usable}.`,
      );
    }
    if (!spec.disaggregatedInference) {
      throw new Error(
        `${this.describe()}: instance type '${name}' cannot run disaggregated prefill/decode with the software on the ` +
          'default image: its vLLM is vllm-neuron, which supports Trn2 and Trn3 only (on Trn1 disaggregated inference ' +
          `exists only in the legacy NxD Inference fork, in no current DLAMI). Use one of ${usable}.`,
      );
    }
    return spec;
  }

  /** Where a type is offered is not certain (the catalog's regions are a third-party sweep): warn, never fail. */
  private warnOnUnknownRegion(): void {
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region) || this.instanceTypeSpec.knownRegions.includes(region)) return;
    Annotations.of(this).addWarningV2(
      'cdk-disaggregated-inference:instanceTypeRegion',
      `${this.instanceTypeSpec.name} is not known to be offered in ${region} (known: ` +
        `${this.instanceTypeSpec.knownRegions.join(', ')}). Check with \`aws ec2 describe-instance-type-offerings ` +
        `--location-type availability-zone --filters Name=instance-type,Values=${this.instanceTypeSpec.name} --region ${region}\`.`,
    );
  }

  /** The server port, clear of the ports the hosts' other services listen on. */
  private resolvePort(requested?: number): number {
    const port = requested ?? 8000;
    const taken: Record<number, string> = {
      [NIXL_SIDE_CHANNEL_PORT]: "NIXL's side channel",
      [NEURON_MONITOR_PROMETHEUS_PORT]: "neuron-monitor's Prometheus exporter",
    };
    if (taken[port]) throw new Error(`${this.describe()}: port ${port} is ${taken[port]} on the instances; give another port.`);
    return port;
  }

  private resolveTensorParallelDegree(requested?: number): number {
    const cores = this.instanceTypeSpec.logicalNeuronCores;
    const degree = requested ?? cores;
    if (!Number.isInteger(degree) || degree < 1 || cores % degree !== 0) {
      const divisors = [...Array(cores).keys()].map((i) => i + 1).filter((d) => cores % d === 0);
      throw new Error(
        `${this.describe()}: tensorParallelDegree ${degree} does not divide the ${cores} logical NeuronCores of ` +
          `${this.instanceTypeSpec.name}. Use one of ${divisors.join(', ')}.`,
      );
    }
    return degree;
  }

  private createInstanceSecurityGroup(network: IEfaNetwork): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: network.vpc,
      // Also the router's way in (router-discovery.ts); the description stays, as changing it replaces the group.
      description: `${this.node.path}: server port from its load balancer; HTTPS out for model and package downloads`,
      allowAllOutbound: false,
    });
    sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: Hugging Face Hub, S3 and AWS APIs');
    return sg;
  }

  private createLaunchTemplate(
    props: TrainiumServerFleetProps,
    purchaseOption: PurchaseOption,
    userData: ec2.UserData,
  ): ec2.CfnLaunchTemplate {
    const image = (props.machineImage ?? ec2.MachineImage.resolveSsmParameterAtLaunch(NEURON_DLAMI_SSM_PARAMETER)).getImage(this);
    const groups = [props.network.securityGroup.securityGroupId, this.instanceSecurityGroup.securityGroupId];
    const placementGroup = purchaseOption.usesPlacementGroup ? props.network.placementGroup : undefined;
    const profile = new iam.InstanceProfile(this, 'InstanceProfile', { role: this.role });
    return new ec2.CfnLaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateData: {
        instanceType: this.instanceTypeSpec.name,
        imageId: image.imageId,
        iamInstanceProfile: { arn: profile.instanceProfileArn },
        userData: Fn.base64(userData.render()),
        metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
        // One-minute EC2 metrics (CT.EC2.PR.10): a scale-out of hosts that cost tens of dollars an hour is worth watching closely.
        monitoring: { enabled: true },
        blockDeviceMappings: [{
          // Root device of the Ubuntu DLAMI.
          deviceName: '/dev/sda1',
          ebs: {
            volumeSize: (props.rootVolumeSize ?? Size.gibibytes(1024)).toGibibytes(),
            volumeType: 'gp3',
            encrypted: true,
            kmsKeyId: props.volumeKey?.keyArn,
            deleteOnTermination: true,
          },
        }],
        // One EFA-only interface per network card plus the primary ENA interface (AWS's layout);
        // the groups go on every interface, so the template sets no SecurityGroupIds.
        networkInterfaces: efaInterfaceLayout(this.instanceTypeSpec).map((slot) => ({
          networkCardIndex: slot.networkCardIndex,
          deviceIndex: slot.deviceIndex,
          interfaceType: slot.interfaceType,
          groups,
          deleteOnTermination: true,
          // No AssociatePublicIpAddress, not even false: EC2 refuses it with several interfaces
          // (see acknowledgeFleetFindings); the private subnet and the interface count keep addresses off.
        })),
        ...(placementGroup ? { placement: { groupName: placementGroup.placementGroupName } } : {}),
        ...purchaseOption._renderLaunchTemplateData(),
        tagSpecifications: [{ resourceType: 'instance', tags: [{ key: 'Name', value: this.node.path }] }],
      },
    });
  }

  /**
   * Auto Scaling launches and EBS attaches with the service-linked role, which must use a customer
   * key: the key policy AWS documents for it, with grants only for AWS resources (EBS volumes).
   */
  private grantVolumeKey(key?: kms.IKey): void {
    if (!key) return;
    const autoScalingRole = new iam.ArnPrincipal(
      `arn:${Stack.of(this).partition}:iam::${Stack.of(this).account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    );
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [autoScalingRole],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [autoScalingRole],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': true } },
    }));
    limitGrantsToAwsServices(key);
  }

  private createAutoScalingGroup(props: TrainiumServerFleetProps, capacity: FleetCapacity) {
    return new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.subnetSelection,
      launchTemplate: ec2.LaunchTemplate.fromLaunchTemplateAttributes(this, 'ImportedLaunchTemplate', {
        launchTemplateId: this.launchTemplate.ref,
        versionNumber: this.launchTemplate.attrLatestVersionNumber,
      }),
      minCapacity: capacity.min,
      maxCapacity: capacity.max,
      desiredCapacity: capacity.desired,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: this.healthCheckGracePeriod,
      }),
      groupMetrics: [autoscaling.GroupMetrics.all()],
    });
  }

  private createTargets(group: autoscaling.AutoScalingGroup): elbv2.NetworkTargetGroup {
    const listener = this.loadBalancer.addListener('Listener', { port: this.port, protocol: elbv2.Protocol.TCP });
    const targetGroup = listener.addTargets('Servers', {
      port: this.port,
      protocol: elbv2.Protocol.TCP,
      targets: [group],
      deregistrationDelay: Duration.seconds(60),
      // Readiness: vLLM's API server binds its port early but serves HTTP, /health included, only
      // after the engine is up (vllm/entrypoints/openai/api_server.py: setup_server binds,
      // build_async_engine_client loads the model and starts the workers, whose init sets up the
      // KV connector, then serve_http), and /health answers 503 once the engine died
      // (vllm/entrypoints/serve/instrumentator/health.py). The router's worker protocol names the
      // same path; the router reaches only hosts this check passes.
      healthCheck: {
        protocol: elbv2.Protocol.HTTP,
        path: PATHS.health,
        port: String(this.port),
        interval: Duration.seconds(30),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    this.loadBalancer.connections.allowTo(this.instanceSecurityGroup, ec2.Port.tcp(this.port), 'load balancer to vLLM server');
    return targetGroup;
  }
}
