import type { WorkerDiscoveryConfig } from '../routing/registry-config';
import type { DiscoverWorkers } from '../routing/worker-directory';
import { callQueryApi, EC2_API, ELBV2_API } from './aws-query';
import type { FetchLike } from './sigv4-fetch';
import { childrenNamed, child, textAt } from './xml';

/** How {@link targetGroupDiscovery} reaches the AWS APIs. */
export interface TargetGroupDiscoveryOptions {
  /** @default the global fetch, signed per call */
  readonly fetch?: FetchLike;
  /** Base URLs of the APIs by signing name (`elasticloadbalancing`, `ec2`), for a local fake. @default the regional endpoints */
  readonly endpoints?: Readonly<Record<string, string>>;
}

/**
 * The deployed router's discovery: the healthy targets of a fleet's target group, as addresses.
 *
 * `DescribeTargetHealth` gives every registered target with the state the load balancer's `/health`
 * check gave it; only `healthy` ones count (not `initial`, still loading the model; not `draining`,
 * being deregistered by a scale-in; not `unhealthy`). The fleets register their Auto Scaling group,
 * so targets are instance ids, not addresses ("If the target type of the target group is instance,
 * specify an instance ID", ELBv2 API reference, TargetDescription): `DescribeInstances` gives each
 * new id's primary private IPv4 address, where the load balancer sends its traffic too. An
 * instance's primary private address never changes, so each is looked up once per execution
 * environment (ids that leave the group are forgotten). The instances are filtered by id (the
 * `instance-id` filter) rather than named (`InstanceId.N`), which would fail the whole call on an id
 * EC2 does not know yet (its eventual consistency) or any more.
 */
export function targetGroupDiscovery(options: TargetGroupDiscoveryOptions = {}): DiscoverWorkers {
  const addresses = new Map<string, string>();
  return async (discovery, signal) => {
    const region = regionOf(discovery);
    const call = (endpoint: string | undefined) => ({ region, endpoint, fetch: options.fetch, signal });
    const health = await callQueryApi(
      ELBV2_API,
      'DescribeTargetHealth',
      { TargetGroupArn: discovery.targetGroupArn },
      call(options.endpoints?.[ELBV2_API.service]),
    );
    const descriptions = childrenNamed(child(health, 'DescribeTargetHealthResult', 'TargetHealthDescriptions'), 'member');
    const healthy = descriptions.filter((d) => textAt(d, 'TargetHealth', 'State') === 'healthy').flatMap((d) => textAt(d, 'Target', 'Id') ?? []);

    const registered = new Set(descriptions.flatMap((d) => textAt(d, 'Target', 'Id') ?? []));
    for (const id of addresses.keys()) if (!registered.has(id)) addresses.delete(id);
    const unknown = healthy.filter((id) => isInstanceId(id) && !addresses.has(id));
    if (unknown.length > 0) {
      const params: Record<string, string> = { 'Filter.1.Name': 'instance-id' };
      unknown.forEach((id, i) => (params[`Filter.1.Value.${i + 1}`] = id));
      let nextToken: string | undefined;
      do {
        const page = nextToken ? { ...params, NextToken: nextToken } : params;
        const described = await callQueryApi(EC2_API, 'DescribeInstances', page, call(options.endpoints?.[EC2_API.service]));
        for (const reservation of childrenNamed(child(described, 'reservationSet'), 'item')) {
          for (const instance of childrenNamed(child(reservation, 'instancesSet'), 'item')) {
            // The instance's own privateIpAddress, not those of its network interfaces further down.
            const id = textAt(instance, 'instanceId');
            const address = textAt(instance, 'privateIpAddress');
            if (id && address) addresses.set(id, address);
          }
        }
        nextToken = textAt(described, 'nextToken') || undefined;
      } while (nextToken);
    }
    // A target group of type `ip` names the addresses itself.
    return healthy.flatMap((id) => {
      const address = isInstanceId(id) ? addresses.get(id) : id;
      return address ? [`http://${address}:${discovery.port}`] : [];
    });
  };
}

function isInstanceId(id: string): boolean {
  return id.startsWith('i-');
}

/** The region in the target group's ARN (`arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/...`). */
function regionOf(discovery: WorkerDiscoveryConfig): string {
  const region = discovery.targetGroupArn.split(':')[3];
  if (!region) throw new Error(`Cannot tell the region of target group '${discovery.targetGroupArn}'; expected an ELBv2 target group ARN.`);
  return region;
}
