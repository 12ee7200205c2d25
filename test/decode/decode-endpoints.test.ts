import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Cs3Connection, Cs3DecodeEndpoint, type Cs3DecodeEndpointProps, DecodeEndpoint, DecodeKvCapability, IDecodeEndpoint, TrainiumDecodeFleet } from '../../lib/decode';
import { EfaNetwork } from '../../lib/network';
import { testStack } from '../app/test-app';
import { expectEfaLaunchTemplate, fleetScaffold, launchTemplateData, userDataText } from '../prefill/fleet-fixtures';

describe('Cs3DecodeEndpoint by URL', () => {
  test('normalizes the https base URL, replays the prompt, creates the API key secret and grants its read', () => {
    const stack = testStack();
    const endpoint = new Cs3DecodeEndpoint(stack, 'Cs3', { connection: Cs3Connection.url('https://api.cerebras.example:8443/'), servedModelName: 'llama-3.3-70b' });
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    endpoint.grantInvoke(caller);
    expect(endpoint.endpointUrl).toBe('https://api.cerebras.example:8443');
    expect(endpoint.kvCapability).toBe(DecodeKvCapability.PROMPT_REPLAY);
    expect(endpoint.kvCapability.canIngestKv).toBe(false);
    // Cerebras' API takes up to 4 stop sequences: the endpoint declares it for the router.
    expect(endpoint.maxStopSequences).toBe(4);
    // Outside the VPC: connections with no security group.
    expect(endpoint.connections.securityGroups).toEqual([]);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] })] },
    });
  });

  test('uses an imported API key secret', () => {
    const stack = testStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Key', 'cerebras/api-key');
    const endpoint = new Cs3DecodeEndpoint(stack, 'Cs3', { connection: Cs3Connection.url('https://api.cerebras.example'), servedModelName: 'm', apiKeySecret: secret });
    expect(endpoint.apiKeySecret).toBe(secret);
    expect(endpoint.node.findAll().some((c) => c instanceof secretsmanager.Secret)).toBe(false);
  });

  test('a decode URL that is not https is an error naming it and the fix', () => {
    const stack = testStack();
    expect(() => new Cs3DecodeEndpoint(stack, 'Cs3', { connection: Cs3Connection.url('http://cs3.internal:8000'), servedModelName: 'm' })).toThrow(
      /url 'http:\/\/cs3.internal:8000' is not https.*give an https:\/\/ URL \(e.g. https:\/\/cs3.internal:8000\), or reach it privately with `Cs3Connection.privateLink`/,
    );
  });

  test('a URL with a path, or no connection at all (plain JavaScript), are errors', () => {
    const stack = testStack();
    expect(() => new Cs3DecodeEndpoint(stack, 'A', { connection: Cs3Connection.url('https://api.example.com/v1'), servedModelName: 'm' })).toThrow(
      /has a path; give the base URL only \(https:\/\/api.example.com\)/,
    );
    expect(() => new Cs3DecodeEndpoint(stack, 'B', { connection: Cs3Connection.url('not a url'), servedModelName: 'm' })).toThrow(/'not a url' is not a URL/);
    // URL and PrivateLink at once cannot be written any more: the connection is one choice.
    expect(() => new Cs3DecodeEndpoint(stack, 'C', { servedModelName: 'm' } as unknown as Cs3DecodeEndpointProps)).toThrow(
      /no `connection` given; give Cs3Connection.url\('https:\/\/...'\) or Cs3Connection.privateLink/,
    );
  });
});

describe('Cs3DecodeEndpoint through PrivateLink', () => {
  test('creates an interface endpoint in the EFA subnet; https on the private DNS name; connections', () => {
    const stack = testStack();
    const network = new EfaNetwork(stack, 'Net', { interfaceEndpoints: false });
    const endpoint = new Cs3DecodeEndpoint(stack, 'Cs3', {
      connection: Cs3Connection.privateLink(network, { serviceName: 'com.amazonaws.vpce.us-east-2.vpce-svc-0123456789abcdef0', privateDnsName: 'cs3.example.com' }),
      servedModelName: 'llama-3.3-70b',
    });
    expect(endpoint.endpointUrl).toBe('https://cs3.example.com');
    expect(endpoint.connections.securityGroups).toHaveLength(1);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.vpce.us-east-2.vpce-svc-0123456789abcdef0',
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SubnetIds: [{ Ref: Match.stringLikeRegexp('^NetVpcEfaSubnet1Subnet') }],
    });
  });
});

describe('TrainiumDecodeFleet', () => {
  let template: Template;
  let fleet: TrainiumDecodeFleet;
  beforeAll(() => {
    const { stack, network, model } = fleetScaffold();
    fleet = new TrainiumDecodeFleet(stack, 'Decode', { network, model });
    template = Template.fromStack(stack);
  });

  test('the same EFA launch template as prefill, with vLLM as the NIXL KV consumer', () => {
    const data = launchTemplateData(template);
    expectEfaLaunchTemplate(data, 16);
    expect(userDataText(data)).toContain('"kv_role":"kv_consumer"');
  });

  test('pulls KV, is reached over the network, needs no secret', () => {
    expect(fleet.kvCapability).toBe(DecodeKvCapability.NIXL_PULL);
    expect(fleet.kvCapability.canIngestKv).toBe(true);
    expect((fleet as IDecodeEndpoint).apiKeySecret).toBeUndefined();
    expect(fleet.connections.securityGroups.length).toBe(1);
    expect(fleet.endpointUrl).toMatch(/^http:\/\/.*:8000$/);
  });
});

describe('DecodeEndpoint.fromDecodeEndpointAttributes', () => {
  test('imports any OpenAI-compatible server; connections on the URL port', () => {
    const stack = testStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
    const endpoint = DecodeEndpoint.fromDecodeEndpointAttributes(stack, 'Decode', {
      endpointUrl: 'http://decode.internal:9000',
      servedModelName: 'llama',
      kvCapability: DecodeKvCapability.NIXL_PULL,
      securityGroups: [sg],
      apiKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Key', 'decode/api-key'),
    });
    expect(endpoint.connections?.defaultPort?.toString()).toBe('9000');
    expect(endpoint.kvCapability.canIngestKv).toBe(true);
    const grant = endpoint.grantInvoke(new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(grant.success).toBe(true);
  });
});
