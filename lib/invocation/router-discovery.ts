import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { IDecodeEndpoint } from '../decode';
import type { FleetHosts } from '../fleet';
import type { IPrefillEndpoint } from '../prefill';

/** What the router's discovery of fleet hosts needs from the layer. */
export interface RouterDiscoveryProps {
  readonly role: iam.IRole;
  /** The router functions' network reachability (their security group). */
  readonly connections: ec2.Connections;
  readonly prefill?: IPrefillEndpoint;
  readonly decodeTiers: IDecodeEndpoint[];
  readonly vpc?: ec2.IVpc;
  /** Where the Elastic Load Balancing and EC2 APIs answer; @default HTTPS to the VPC's CIDR range */
  readonly discoveryEndpoints?: ec2.IConnectable[];
}

/** The tiers whose fleets expose their hosts, by name. */
function tiersWithHosts(prefill: IPrefillEndpoint | undefined, decodeTiers: IDecodeEndpoint[]): Array<{ tier: string; hosts: FleetHosts }> {
  const tiers = [{ tier: 'prefill', hosts: prefill?.fleet?.hosts }, ...decodeTiers.map((d) => ({ tier: 'decode', hosts: d.fleet?.hosts }))];
  return tiers.flatMap(({ tier, hosts }) => (hosts ? [{ tier, hosts }] : []));
}

/**
 * Lets the router discover the fleets' hosts and call them directly (the runtime side is
 * lib/runtime/lambda/target-group-discovery.ts): its security group may reach each fleet's
 * instances on the server port (and theirs admits it), and the Elastic Load Balancing and EC2 APIs
 * on 443; its role may call `elasticloadbalancing:DescribeTargetHealth` and `ec2:DescribeInstances`,
 * in the stack's region only. Neither action supports resource-level permissions, so they cannot
 * be scoped to the fleets' target groups: the Service Authorization Reference lists no resource type
 * for either ("If there is no value for this column, you must specify all resources ("*")",
 * docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html and
 * list_amazonec2.html; machine copy: iann0036/iam-dataset aws/iam_definition.json). So the statement
 * names `*`, bound to the region with `aws:RequestedRegion`, and is acknowledged as such; both only
 * read metadata. Nothing is created when no tier has hosts to find (mock mode, a CS-3).
 *
 * Why target groups and not Cloud Map: Cloud Map's `DiscoverInstances` can be scoped to one service,
 * but EC2 Auto Scaling has no Cloud Map integration (instances would register from user data and
 * deregister from a lifecycle hook), and for hosts in a VPC Cloud Map checks no health itself (a
 * custom health status, which something must keep setting). The target group already knows which
 * hosts pass vLLM's `/health` and deregisters those the group terminates.
 */
export function allowRouterDiscovery(scope: Construct, props: RouterDiscoveryProps): iam.Policy | undefined {
  const tiers = tiersWithHosts(props.prefill, props.decodeTiers);
  if (tiers.length === 0) return undefined;
  for (const { tier, hosts } of tiers) {
    props.connections.allowTo(hosts.connections, ec2.Port.tcp(hosts.port), `router to the ${tier} hosts`);
  }
  if (props.vpc) {
    const apis = props.discoveryEndpoints ?? [ec2.Peer.ipv4(props.vpc.vpcCidrBlock)];
    for (const api of apis) props.connections.allowTo(api, ec2.Port.tcp(443), 'router to the Elastic Load Balancing and EC2 APIs (host discovery)');
  }
  const policy = new iam.Policy(scope, 'RouterDiscoveryPolicy', {
    roles: [props.role],
    statements: [
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:DescribeTargetHealth', 'ec2:DescribeInstances'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(scope).region } },
      }),
    ],
  });
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Host discovery: elasticloadbalancing:DescribeTargetHealth and ec2:DescribeInstances support no resource-level permissions ' +
      '(the Service Authorization Reference lists no resource type for either), so Resource must be "*"; both are read-only and ' +
      'the statement is limited to the stack\'s region with aws:RequestedRegion.',
  });
  return policy;
}
