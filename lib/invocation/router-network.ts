import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { IDecodeEndpoint } from '../decode';
import { urlPort } from '../decode/url-port';
import type { IPrefillEndpoint } from '../prefill';
import { createLambdaRole } from './lambda-role';

/** What the router's network access depends on. */
export interface RouterNetworkProps {
  readonly prefill?: IPrefillEndpoint;
  /** Every decode tier (standard, and optimized if any). */
  readonly decodeTiers: IDecodeEndpoint[];
  readonly vpc?: ec2.IVpc;
  readonly secretsManagerEndpoint?: ec2.IConnectable;
}

/** True when a tier is reachable only inside a VPC: its connections name security groups. */
function inVpc(connections: ec2.Connections): boolean {
  return connections.securityGroups.length > 0;
}

/**
 * The router functions' security group (`RouterSecurityGroup` in `scope`), allowed out to the
 * prefill tier, the decode endpoints and Secrets Manager only (router-discovery.ts adds the fleets'
 * hosts and the discovery APIs); outside a VPC, no group at all.
 */
export function createRouterConnections(scope: Construct, props: RouterNetworkProps): ec2.Connections {
  const { prefill, decodeTiers, vpc } = props;
  if (!vpc) {
    if ((prefill && inVpc(prefill.connections)) || decodeTiers.some((tier) => inVpc(tier.connections))) {
      throw new Error(
        'BedrockInvocationLayer: the prefill or decode tier is reachable only inside a VPC (its `connections` have security groups), ' +
          'but no `vpc` was given. Pass the network\'s VPC as `vpc` (e.g. `vpc: network.vpc`).',
      );
    }
    return new ec2.Connections();
  }
  const securityGroup = new ec2.SecurityGroup(scope, 'RouterSecurityGroup', {
    vpc,
    // Also to the fleets' hosts and the discovery APIs (router-discovery.ts); the description stays, as changing it replaces the group.
    description: 'Bedrock-style router: egress only to the prefill load balancer, the decode endpoint and Secrets Manager',
    allowAllOutbound: false,
  });
  const connections = securityGroup.connections;
  if (prefill && inVpc(prefill.connections)) {
    const port = prefill.connections.defaultPort;
    if (!port) {
      throw new Error(
        'BedrockInvocationLayer: the prefill tier\'s `connections` have security groups but no default port; ' +
          'give them the load balancer port (`new ec2.Connections({ securityGroups, defaultPort: ec2.Port.tcp(8000) })`).',
      );
    }
    connections.allowTo(prefill.connections, port, 'router to prefill load balancer');
  }
  for (const decode of decodeTiers) {
    if (inVpc(decode.connections)) {
      const port = decode.connections.defaultPort ?? ec2.Port.tcp(urlPort(decode.endpointUrl));
      connections.allowTo(decode.connections, port, 'router to decode endpoint');
    } else {
      // A decode endpoint outside the VPC (a CS-3 behind a public HTTPS URL) has no fixed address.
      connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.tcp(urlPort(decode.endpointUrl)), 'router to decode endpoint outside the VPC');
    }
  }
  if (decodeTiers.some((tier) => tier.apiKeySecret)) {
    if (props.secretsManagerEndpoint) {
      connections.allowTo(props.secretsManagerEndpoint, ec2.Port.tcp(443), 'router to Secrets Manager endpoint');
    } else {
      connections.allowTo(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), 'router to Secrets Manager interface endpoint');
    }
  }
  return connections;
}

/** The role both router functions run as (`RouterRole` in `scope`): logs, X-Ray and, in a VPC, its network interfaces. */
export function createRouterRole(scope: Construct, inVpcNetwork: boolean): iam.Role {
  return createLambdaRole(scope, 'RouterRole', 'Bedrock-style router functions', inVpcNetwork);
}

/** The VPC's private subnets with egress, or its isolated subnets when it has none. */
export function defaultRouterSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.privateSubnets.length > 0
    ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
    : { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
}
