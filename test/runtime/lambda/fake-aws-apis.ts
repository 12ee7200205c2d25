import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the two AWS APIs the deployed router's discovery calls, answering in their
 * real wire shapes: ELBv2 `DescribeTargetHealth` (Query protocol, XML as in the ELBv2 API
 * reference's sample response, docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html)
 * and EC2 `DescribeInstances` (EC2 Query, XML `reservationSet/item/instancesSet/item`, EC2 API
 * reference). Errors come as each service writes them: ELBv2's `<ErrorResponse><Error>`, EC2's
 * `<Response><Errors><Error>`. It refuses a request not signed with SigV4 for the service of its
 * action, as AWS would.
 */

export type TargetState = 'healthy' | 'unhealthy' | 'initial' | 'draining' | 'unused';

export interface FakeTarget {
  readonly id: string;
  state: TargetState;
}

export interface FakeInstance {
  readonly id: string;
  readonly privateIp: string;
}

export interface FakeAwsCall {
  readonly action: string;
  readonly params: URLSearchParams;
  /** The service named in the signature's credential scope. */
  readonly signedFor: string;
  readonly region: string;
}

export interface FakeAwsApis {
  readonly url: string;
  /** Target group ARN -> its registered targets (change them to change what discovery finds). */
  readonly targetGroups: Map<string, FakeTarget[]>;
  readonly instances: Map<string, FakeInstance>;
  readonly calls: FakeAwsCall[];
  /** When set, every call is refused with this error (ELBv2's or EC2's shape, by action). */
  refuseWith?: { code: string; message: string; status: number };
  close(): Promise<void>;
}

const REASONS: Partial<Record<TargetState, [string, string]>> = {
  unhealthy: ['Target.FailedHealthChecks', 'Health checks failed'],
  initial: ['Elb.InitialHealthChecking', 'Initial health checks in progress'],
  draining: ['Target.DeregistrationInProgress', 'Target deregistration is in progress'],
  unused: ['Target.NotRegistered', 'Target is not registered to the target group'],
};

function describeTargetHealth(targets: FakeTarget[], port: number): string {
  const members = targets.map((target) => {
    const reason = REASONS[target.state];
    return `
      <member>
        <HealthCheckPort>${port}</HealthCheckPort>
        <TargetHealth>
          <State>${target.state}</State>${reason ? `<Reason>${reason[0]}</Reason><Description>${reason[1]}</Description>` : ''}
        </TargetHealth>
        <Target>
          <Port>${port}</Port>
          <Id>${target.id}</Id>
        </Target>
      </member>`;
  });
  return `<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetHealthResult>
    <TargetHealthDescriptions>${members.join('')}
    </TargetHealthDescriptions>
  </DescribeTargetHealthResult>
  <ResponseMetadata>
    <RequestId>c534f810-f389-11e5-9192-3fff33344cfa</RequestId>
  </ResponseMetadata>
</DescribeTargetHealthResponse>`;
}

/**
 * One reservation per instance. Each instance lists its network interfaces before its own address,
 * with an address on a second ENA interface that is not the instance's (the primary interface's is),
 * and an EFA-only interface, which has no IP address at all.
 */
function describeInstances(instances: FakeInstance[]): string {
  const items = instances.map(
    (instance, i) => `
    <item>
      <reservationId>r-0${i}</reservationId>
      <ownerId>111111111111</ownerId>
      <groupSet/>
      <instancesSet>
        <item>
          <instanceId>${instance.id}</instanceId>
          <imageId>ami-0abcdef1234567890</imageId>
          <instanceState><code>16</code><name>running</name></instanceState>
          <instanceType>trn2.48xlarge</instanceType>
          <networkInterfaceSet>
            <item>
              <networkInterfaceId>eni-0second${i}</networkInterfaceId>
              <privateIpAddress>10.9.9.${i + 1}</privateIpAddress>
              <attachment><deviceIndex>1</deviceIndex><networkCardIndex>0</networkCardIndex></attachment>
            </item>
            <item>
              <networkInterfaceId>eni-0efaonly${i}</networkInterfaceId>
              <interfaceType>efa-only</interfaceType>
              <attachment><deviceIndex>0</deviceIndex><networkCardIndex>1</networkCardIndex></attachment>
            </item>
          </networkInterfaceSet>
          <privateDnsName>ip-${instance.privateIp.replace(/\./g, '-')}.us-east-2.compute.internal</privateDnsName>
          <privateIpAddress>${instance.privateIp}</privateIpAddress>
        </item>
      </instancesSet>
    </item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet>${items.join('')}
  </reservationSet>
</DescribeInstancesResponse>`;
}

function elbError(code: string, message: string): string {
  return `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>x</RequestId></ErrorResponse>`;
}

function ec2Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>x</RequestID></Response>`;
}

const SERVICE_OF: Record<string, string> = { DescribeTargetHealth: 'elasticloadbalancing', DescribeInstances: 'ec2' };
/** `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...` */
const CREDENTIAL_SCOPE = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;

export async function startFakeAwsApis(serverPort: number): Promise<FakeAwsApis> {
  const fake: Omit<FakeAwsApis, 'url' | 'close'> & { refuseWith?: FakeAwsApis['refuseWith'] } = {
    targetGroups: new Map(),
    instances: new Map(),
    calls: [],
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = params.get('Action') ?? '';
      const isEc2 = action === 'DescribeInstances';
      const send = (status: number, xml: string) => {
        response.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
        response.end(xml);
      };
      const refuse = (status: number, code: string, message: string) => send(status, isEc2 ? ec2Error(code, message) : elbError(code, message));
      const scope = CREDENTIAL_SCOPE.exec(String(request.headers.authorization ?? ''));
      if (request.method !== 'POST' || !scope || !request.headers['x-amz-date'] || scope[2] !== SERVICE_OF[action]) {
        refuse(403, 'IncompleteSignature', `a ${action} request must be signed with SigV4 for ${SERVICE_OF[action]}`);
        return;
      }
      fake.calls.push({ action, params, signedFor: scope[2], region: scope[1] });
      if (fake.refuseWith) {
        refuse(fake.refuseWith.status, fake.refuseWith.code, fake.refuseWith.message);
        return;
      }
      if (action === 'DescribeTargetHealth' && params.get('Version') === '2015-12-01') {
        const targets = fake.targetGroups.get(params.get('TargetGroupArn') ?? '');
        if (!targets) refuse(400, 'TargetGroupNotFound', 'One or more target groups not found');
        else send(200, describeTargetHealth(targets, serverPort));
      } else if (isEc2 && params.get('Version') === '2016-11-15' && params.get('Filter.1.Name') === 'instance-id') {
        const ids = [...params.entries()].filter(([name]) => name.startsWith('Filter.1.Value.')).map(([, id]) => id);
        send(200, describeInstances(ids.flatMap((id) => fake.instances.get(id) ?? [])));
      } else {
        refuse(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as FakeAwsApis;
}
