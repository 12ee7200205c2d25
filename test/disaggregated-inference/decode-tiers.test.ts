import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Cs3DecodeEndpoint, DecodeBackend, DecodeEndpoint, DecodeKvCapability, TrainiumDecodeFleet } from '../../lib/decode';
import { DisaggregatedInference } from '../../lib/disaggregated-inference';
import { ModelSource, PurchaseOption } from '../../lib/fleet';
import { BedrockInvocationLayer } from '../../lib/invocation';
import { testApp } from '../app/test-app';
import { buildTestTiers, TEST_MODEL } from '../invocation/doubles';
import { routerRegistry } from '../invocation/router-registry';

const stackIn = () => new Stack(testApp({ 'aws:cdk:bundling-stacks': [] }), 'Test');
const CS3 = 'https://cs3.example.com';
type Resource = { Properties: Record<string, any> };

describe('a standard tier (Trainium decode fleet) and an optimized tier (CS-3) behind one API', () => {
  let stack: Stack;
  let inference: DisaggregatedInference;
  let template: Template;
  beforeAll(() => {
    stack = stackIn();
    inference = new DisaggregatedInference(stack, 'Inference', {
      optimizedDecode: DecodeBackend.cs3Url(CS3, { servedModelName: 'llama-3.3-70b' }),
    });
    template = Template.fromStack(stack);
  });

  it('builds the prefill fleet, the decode fleet and the CS-3 endpoint', () => {
    expect(inference.prefillFleet).toBeDefined();
    expect(inference.decodeEndpoint).toBeInstanceOf(TrainiumDecodeFleet);
    expect(inference.optimizedDecodeEndpoint).toBeInstanceOf(Cs3DecodeEndpoint);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
  });

  it('derives a registry carrying both tiers: decode (standard) pulls KV, optimizedDecode replays the prompt with its key', () => {
    for (const handler of ['index.handler', 'index.streamingHandler']) {
      const [model] = routerRegistry(template, handler).models;
      expect(model.prefillUrls).toHaveLength(1);
      expect(model.decode).toEqual({
        url: expect.stringMatching(/^http:\/\/.*:8000$/),
        model: 'meta-llama/Llama-3.3-70B-Instruct',
        canIngestKv: true,
        // The deployed router routes to the fleet's hosts; the CS-3 has none to discover.
        discovery: { targetGroupArn: expect.stringMatching(/^\{Ref:InferenceDecode.*ServersGroup/), port: 8000 },
      });
      expect(model.optimizedDecode).toEqual({
        url: CS3,
        model: 'llama-3.3-70b',
        canIngestKv: false,
        apiKey: { secretArn: expect.stringContaining('OptimizedDecodeApiKey') },
        // Cerebras' API takes up to 4 stop sequences; the CS-3 endpoint declares it.
        maxStopSequences: 4,
      });
    }
  });

  it('lets the router reach both tiers and read the optimized tier\'s API key', () => {
    const routerSg = inference.invocation!.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup;
    const routerSgId = stack.getLogicalId(routerSg);
    // Egress to a security group is a resource of its own; to an address range, inline.
    const toGroups = (Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')) as Resource[])
      .map((r) => r.Properties)
      .filter((p) => p.GroupId['Fn::GetAtt']?.[0] === routerSgId);
    const decodeSg = stack.resolve(inference.decodeEndpoint.connections.securityGroups[0].securityGroupId);
    expect(toGroups).toContainEqual(expect.objectContaining({ FromPort: 8000, ToPort: 8000, DestinationSecurityGroupId: decodeSg }));
    // The CS-3 behind a public URL: HTTPS anywhere (through the NAT gateway), which also carries Secrets Manager.
    expect(template.toJSON().Resources[routerSgId].Properties.SecurityGroupEgress).toContainEqual(
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    );
    const secretArn = stack.resolve((inference.optimizedDecodeEndpoint as Cs3DecodeEndpoint).apiKeySecret!.secretArn);
    const roleId = stack.getLogicalId(inference.invocation!.routerRole.node.defaultChild as iam.CfnRole);
    const routerPolicies = JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    expect(routerPolicies).toContain(JSON.stringify(secretArn));
  });
});

describe('a CS-3-only deployment in prompt replay', () => {
  let stack: Stack;
  let inference: DisaggregatedInference;
  let template: Template;
  beforeAll(() => {
    stack = stackIn();
    inference = new DisaggregatedInference(stack, 'Inference', { decode: DecodeBackend.cs3Url(CS3, { servedModelName: 'llama-3.3-70b' }) });
    template = Template.fromStack(stack);
  });

  it('builds no prefill fleet, no EC2 at all and no Hugging Face secret: the router never calls prefill', () => {
    expect(inference.prefillFleet).toBeUndefined();
    expect(inference.prefillEndpoint).toBeUndefined();
    expect(inference.huggingFaceTokenSecret).toBeUndefined();
    for (const type of ['AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::LaunchTemplate', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::EC2::PlacementGroup']) {
      template.resourceCountIs(type, 0);
    }
    // Only the CS-3's API key remains a secret.
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('keeps the router\'s network: the VPC with its NAT gateway and flow logs, without the instances\' interface endpoints', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1); // the S3 gateway endpoint only
    expect(inference.invocation!.routerFunction.isBoundToVpc).toBe(true);
  });

  it('derives a registry with no prefill workers and the CS-3 as the decode tier, the model from the catalog', () => {
    const [model] = routerRegistry(template).models;
    expect(model.prefillUrls).toEqual([]);
    expect(model.decode).toMatchObject({ url: CS3, model: 'llama-3.3-70b', canIngestKv: false });
    expect(model.optimizedDecode).toBeUndefined();
    expect(model.modelIds).toContain('us.meta.llama3-3-70b-instruct-v1:0');
    expect(model.contextWindow).toBe(131_072);
  });

  it('refuses fleet settings it would drop, naming why no fleet is built', () => {
    expect(
      () => new DisaggregatedInference(stackIn(), 'Inference', { decode: DecodeBackend.cs3Url(CS3), prefill: { minCapacity: 2 }, model: ModelSource.huggingFace('meta-llama/Llama-3.3-70B-Instruct') }),
    ).toThrow(/`prefill` and `model` are given, but every decode tier takes the whole prompt \(prompt replay\), so the router never calls prefill and no prefill fleet is built/);
  });
});

describe('a CS-3 that ingests KV over EFA (a declared capability, no public interface today)', () => {
  it('gets the prefill fleet the hand-off needs, and the router sends it the KV transfer; a Capacity Block then needs no placement group', () => {
    const stack = stackIn();
    const inference = new DisaggregatedInference(stack, 'Inference', {
      prefill: {
        purchaseOption: PurchaseOption.capacityBlock({
          reservationId: 'cr-0123456789abcdef0',
          startTime: new Date('2030-08-05T11:30:00Z'),
          endTime: new Date('2030-08-07T11:30:00Z'),
          instanceCount: 2,
        }),
      },
      decode: DecodeBackend.cs3Url(CS3, { servedModelName: 'llama-3.3-70b', kvCapability: DecodeKvCapability.NIXL_PULL }),
    });
    expect(inference.prefillFleet).toBeDefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    template.resourceCountIs('AWS::EC2::PlacementGroup', 0);
    const [model] = routerRegistry(template).models;
    expect(model.prefillUrls).toHaveLength(1);
    expect(model.decode).toMatchObject({ url: CS3, canIngestKv: true });
  });
});

describe('the invocation layer without a prefill tier', () => {
  it('refuses a decode tier that pulls KV, naming it and the fix', () => {
    const t = buildTestTiers();
    const nixl = DecodeEndpoint.fromDecodeEndpointAttributes(t.stack, 'Nixl', {
      endpointUrl: 'http://decode.internal:8000',
      servedModelName: 'm',
      kvCapability: DecodeKvCapability.NIXL_PULL,
      securityGroups: [new ec2.SecurityGroup(t.stack, 'NixlSg', { vpc: t.vpc })],
    });
    expect(() => new BedrockInvocationLayer(t.stack, 'Invocation', { decode: t.decode, optimizedDecode: nixl, vpc: t.vpc, ...TEST_MODEL })).toThrow(
      /decode endpoint 'Tiers\/Nixl' pulls KV blocks \(nixl-pull\), but there is no prefill tier to pull them from/,
    );
  });

  it('has no prefill host alarm and no fleet graphs', () => {
    const t = buildTestTiers();
    const layer = new BedrockInvocationLayer(t.stack, 'Invocation', { decode: t.decode, vpc: t.vpc, ...TEST_MODEL });
    expect(layer.alarms.unhealthyPrefillHosts).toBeUndefined();
    expect(layer.prefillScaling).toBeUndefined();
  });
});
