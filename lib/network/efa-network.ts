import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { createLogGroupKey } from '../encryption';
import { createEfaVpc } from './efa-vpc';

/** Properties of an {@link EfaNetwork}. */
export interface EfaNetworkProps {
  /**
   * The VPC to place the EFA subnet in.
   * @default - a new VPC in two Availability Zones, each with a public subnet (one NAT gateway, no
   * public addresses mapped at launch) and a private subnet with egress; the private subnet of
   * `availabilityZone` (or of the first zone) becomes the EFA subnet
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Selects the EFA subnet in `vpc`. It must resolve to exactly one subnet: EFA traffic does not
   * cross Availability Zones, and AWS puts every EFA interface of a group in one subnet.
   * @default - the private subnets of `availabilityZone` (in a new VPC: of its first zone)
   */
  readonly subnetSelection?: ec2.SubnetSelection;
  /**
   * Availability Zone of the EFA subnet. With a Capacity Block, set it to the block's zone. A new
   * VPC adds a second zone for the router functions and the interface endpoints.
   * @default - the VPC's first Availability Zone
   */
  readonly availabilityZone?: string;
  /**
   * Subnets of `vpc` for what serves the API and need not sit beside the EFA fleets: the router
   * functions and the interface endpoints. Give subnets in at least two Availability Zones.
   * @default - the VPC's private subnets with egress (isolated ones when it has none): in a new
   * VPC, one in each of its two zones
   */
  readonly serviceSubnets?: ec2.SubnetSelection;
  /**
   * Create a cluster placement group for the instances. Not used by fleets on a Capacity Block.
   * @default true
   */
  readonly placementGroup?: boolean;
  /**
   * Create a gateway endpoint for S3 on the VPC's route tables. Turn it off for a `vpc` that has
   * one already: a route table takes one S3 gateway route, so a second endpoint fails to deploy.
   * @default true
   */
  readonly s3GatewayEndpoint?: boolean;
  /**
   * Create interface endpoints for SSM (ssm, ssmmessages, ec2messages), CloudWatch Logs, ECR
   * (api, dkr) and Secrets Manager in the EFA subnet, so instances reach them without the internet,
   * and for Elastic Load Balancing and EC2, through which the router discovers the fleets' hosts.
   * @default true
   */
  readonly interfaceEndpoints?: boolean;
  /**
   * Retention of the VPC flow log group. AWS Control Tower's CT.CLOUDWATCH.PR.2 asks for a year or more.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Customer-managed key for the flow log group. Its policy must let CloudWatch Logs use it.
   * @default - a new key (`FlowLogKey`) that CloudWatch Logs may use for this account's log groups
   */
  readonly flowLogEncryptionKey?: kms.IKey;
}

/** An EFA network: what instance groups need to join it. */
export interface IEfaNetwork extends IConstruct, ec2.IConnectable {
  readonly vpc: ec2.IVpc;
  /** The one subnet every EFA interface goes into. */
  readonly subnet: ec2.ISubnet;
  /** The subnet as a selection, for constructs that take one (Auto Scaling groups, load balancers). */
  readonly subnetSelection: ec2.SubnetSelection;
  /**
   * Subnets for what serves the API without EFA (the router functions, interface endpoints),
   * across Availability Zones where the network has them.
   */
  readonly serviceSubnets: ec2.SubnetSelection;
  /** Security group with all-traffic rules to and from itself; set on every EFA interface. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The cluster placement group instances launch in, if any. */
  readonly placementGroup?: ec2.IPlacementGroup;
}

/** An existing EFA network, for {@link EfaNetwork.fromEfaNetworkAttributes}. */
export interface EfaNetworkAttributes {
  readonly vpc: ec2.IVpc;
  /** The EFA subnet (one subnet, one Availability Zone). */
  readonly subnet: ec2.ISubnet;
  /** A security group that allows all traffic to and from itself. */
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * A cluster placement group for the instances.
   * @default - none
   */
  readonly placementGroup?: ec2.IPlacementGroup;
  /**
   * Subnets for the router functions and interface endpoints, in at least two Availability Zones.
   * @default - the EFA subnet alone
   */
  readonly serviceSubnets?: ec2.SubnetSelection;
}

/**
 * The network for an EFA instance group: one subnet in one Availability Zone, a security group
 * that allows all traffic to and from itself (EFA's requirement), a cluster placement group,
 * a gateway endpoint for S3, optional interface endpoints, and encrypted VPC flow logs. A new VPC
 * spans two zones: the EFA fleets stay in one, the router functions and endpoints use both
 * (`serviceSubnets`).
 */
export class EfaNetwork extends Construct implements IEfaNetwork {
  /**
   * An EFA network made elsewhere (another stack, or by hand), for fleets to join. Its security
   * group must already allow all traffic to and from itself: nothing is added to it here.
   */
  public static fromEfaNetworkAttributes(scope: Construct, id: string, attrs: EfaNetworkAttributes): IEfaNetwork {
    class Imported extends Construct implements IEfaNetwork {
      public readonly vpc = attrs.vpc;
      public readonly subnet = attrs.subnet;
      public readonly subnetSelection: ec2.SubnetSelection = { subnets: [attrs.subnet] };
      public readonly serviceSubnets: ec2.SubnetSelection = attrs.serviceSubnets ?? { subnets: [attrs.subnet] };
      public readonly securityGroup = attrs.securityGroup;
      public readonly placementGroup = attrs.placementGroup;
      public readonly connections = new ec2.Connections({ securityGroups: [attrs.securityGroup] });
    }
    return new Imported(scope, id);
  }


  public readonly vpc: ec2.IVpc;
  /** The one subnet every EFA interface goes into. */
  public readonly subnet: ec2.ISubnet;
  /** The subnet as a selection, for constructs that take one (Auto Scaling groups, load balancers). */
  public readonly subnetSelection: ec2.SubnetSelection;
  /** Subnets for the router functions and the interface endpoints: in a new VPC, two Availability Zones. */
  public readonly serviceSubnets: ec2.SubnetSelection;
  /** Security group with all-traffic rules to and from itself; set on every EFA interface. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The cluster placement group, unless disabled. */
  public readonly placementGroup?: ec2.IPlacementGroup;
  /** The interface endpoints created, by service short name (e.g. `ssm`, `secretsmanager`). */
  public readonly interfaceEndpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: EfaNetworkProps = {}) {
    super(scope, id);
    this.vpc = props.vpc ?? createEfaVpc(this, props.availabilityZone);
    this.subnet = this.selectEfaSubnet(props, props.vpc === undefined);
    this.subnetSelection = { subnets: [this.subnet] };
    this.serviceSubnets = props.serviceSubnets ?? (this.vpc.privateSubnets.length > 0
      ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
      : { subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    this.securityGroup = this.createEfaSecurityGroup();
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup] });
    if (props.placementGroup ?? true) {
      this.placementGroup = new ec2.PlacementGroup(this, 'PlacementGroup', {
        strategy: ec2.PlacementGroupStrategy.CLUSTER,
      });
    }
    if (props.s3GatewayEndpoint ?? true) {
      this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    }
    if (props.interfaceEndpoints ?? true) this.addInterfaceEndpoints();
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', {
          retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
          encryptionKey: props.flowLogEncryptionKey ?? createLogGroupKey(this, 'FlowLogKey', `${this.node.path}: VPC flow logs`),
        }),
      ),
    });
  }

  /** The one EFA subnet: of the selection, else the private subnets of the zone (a new VPC's first by default). */
  private selectEfaSubnet(props: EfaNetworkProps, newVpc: boolean): ec2.ISubnet {
    const zone = props.availabilityZone ?? (newVpc ? this.vpc.availabilityZones[0] : undefined);
    const selection: ec2.SubnetSelection = props.subnetSelection ?? {
      subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
      availabilityZones: zone ? [zone] : undefined,
    };
    const subnets = this.vpc.selectSubnets(selection).subnets;
    const zones = [...new Set(subnets.map((s) => s.availabilityZone))];
    if (zones.length > 1) {
      throw new Error(
        `EfaNetwork '${this.node.path}': the EFA subnets span ${zones.length} Availability Zones (${zones.join(', ')}), ` +
          'but EFA traffic does not cross Availability Zones. Set `availabilityZone`, or a `subnetSelection` ' +
          'that resolves to a single subnet.',
      );
    }
    if (subnets.length !== 1) {
      throw new Error(
        `EfaNetwork '${this.node.path}': the subnet selection matched ${subnets.length} subnets` +
          (subnets.length ? ` (${subnets.map((s) => s.subnetId).join(', ')})` : '') +
          ', but every EFA interface of a group goes into one subnet. Give a `subnetSelection` of exactly one ' +
          'subnet, e.g. `{ subnets: [subnet] }`.',
      );
    }
    return subnets[0];
  }

  private createEfaSecurityGroup(): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'EfaSecurityGroup', {
      vpc: this.vpc,
      description: 'EFA: all traffic to and from members of this group only',
      allowAllOutbound: false,
    });
    sg.addIngressRule(sg, ec2.Port.allTraffic(), 'EFA: all traffic from the group itself');
    sg.addEgressRule(sg, ec2.Port.allTraffic(), 'EFA: all traffic to the group itself');
    return sg;
  }

  private addInterfaceEndpoints(): void {
    const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
      ssmmessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
      ec2messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
      logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      'ecr.api': ec2.InterfaceVpcEndpointAwsService.ECR,
      'ecr.dkr': ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      secretsmanager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      // The router's discovery of the fleets' healthy hosts (DescribeTargetHealth, DescribeInstances).
      elasticloadbalancing: ec2.InterfaceVpcEndpointAwsService.ELASTIC_LOAD_BALANCING,
      ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
    };
    for (const [name, service] of Object.entries(services)) {
      const endpoint = new ec2.InterfaceVpcEndpoint(this, `Endpoint-${name}`, {
        vpc: this.vpc,
        service,
        // Beside the router functions, in every zone they run in; the EFA subnet's zone is one of them.
        subnets: this.serviceSubnets,
        // Reachable from the EFA group only (not the whole VPC CIDR, which an imported VPC may not carry).
        open: false,
      });
      endpoint.connections.allowDefaultPortFrom(this.securityGroup, `${name} endpoint from EFA instances`);
      this.interfaceEndpoints[name] = endpoint;
    }
  }
}
