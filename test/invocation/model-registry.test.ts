import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DecodeEndpoint, type IDecodeEndpoint } from '../../lib/decode';
import { clientModelIds, getModelSpec } from '../../lib/hardware';
import { deriveModelRegistry } from '../../lib/invocation/model-registry';
import { startMockWorkers } from '../../lib/mock';
import type { IPrefillEndpoint } from '../../lib/prefill';
import { testStack } from '../app/test-app';

const prefill = (maxModelLength?: number): IPrefillEndpoint => ({
  endpointUrl: 'http://prefill.internal:8000',
  servedModelName: 'meta-llama/Llama-3.3-70B-Instruct',
  maxModelLength,
  connections: new ec2.Connections(),
  grantInvoke: (grantee) => iam.Grant.drop(grantee, 'test'),
});
const decode = (maxModelLength?: number, stack = new Stack()) =>
  DecodeEndpoint.fromDecodeEndpointAttributes(stack, 'Decode', { endpointUrl: 'https://decode.example', servedModelName: 'm', maxModelLength });
/** The registry derived in the decode endpoint's stack. */
const registry = (p: IPrefillEndpoint, d: IDecodeEndpoint, options?: Parameters<typeof deriveModelRegistry>[2]) =>
  deriveModelRegistry(Stack.of(d), { prefill: p, decode: d }, options);

describe('deriveModelRegistry: the context window the router enforces', () => {
  test('is the catalog window when the servers set no limit', () => {
    expect(registry(prefill(), decode()).models[0].contextWindow).toBe(131_072);
  });

  test('is the smallest of the catalog window and the prefill and decode servers\' max model length', () => {
    expect(registry(prefill(8192), decode()).models[0].contextWindow).toBe(8192);
    expect(registry(prefill(16384), decode(4096)).models[0].contextWindow).toBe(4096);
  });

  test('is the given contextWindow when one is given', () => {
    expect(registry(prefill(8192), decode(), { contextWindow: 6000 }).models[0].contextWindow).toBe(6000);
  });
});

describe('deriveModelRegistry: the ids clients call the model by', () => {
  const spec = getModelSpec('llama-3.3-70b-instruct');

  test('are the catalog\'s Bedrock ids and the foundation-model ARN in the stack\'s region and partition', () => {
    // cdk.json's context turns partition literals on: a stack in a known region has a literal partition.
    const stack = testStack({ env: { account: '111122223333', region: 'us-east-2' } });
    expect(registry(prefill(), decode(undefined, stack)).models[0].modelIds).toEqual([
      'meta.llama3-3-70b-instruct-v1:0',
      'us.meta.llama3-3-70b-instruct-v1:0',
      'arn:aws:bedrock:us-east-2::foundation-model/meta.llama3-3-70b-instruct-v1:0',
    ]);
  });

  test('in an environment-agnostic stack, the ARN takes the region and partition at deploy time', () => {
    const stack = new Stack();
    const arn = registry(prefill(), decode(undefined, stack)).models[0].modelIds[2];
    expect(stack.resolve(arn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:', { Ref: 'AWS::Region' }, '::foundation-model/meta.llama3-3-70b-instruct-v1:0']],
    });
  });

  test('come from the same catalog mapping the local mock serves', async () => {
    const workers = await startMockWorkers({ prefillWorkers: 1 });
    try {
      expect(workers.registry.models[0].modelIds).toEqual(clientModelIds(spec, 'us-east-1', 'aws'));
    } finally {
      await workers.close();
    }
    const stack = testStack({ env: { account: '111122223333', region: 'us-east-1' } });
    expect(registry(prefill(), decode(undefined, stack)).models[0].modelIds).toEqual(clientModelIds(spec, 'us-east-1', 'aws'));
  });
});

describe('deriveModelRegistry: the stop-sequence limit is the decode endpoint\'s own', () => {
  test('an endpoint that declares one passes it to the router; one that does not, none', () => {
    const stack = new Stack();
    const limited = DecodeEndpoint.fromDecodeEndpointAttributes(stack, 'Limited', { endpointUrl: 'https://decode.example', servedModelName: 'm', maxStopSequences: 4 });
    expect(registry(prefill(), limited).models[0].decode.maxStopSequences).toBe(4);
    expect(registry(prefill(), decode()).models[0].decode).not.toHaveProperty('maxStopSequences');
  });
});

describe('deriveModelRegistry: conditional disaggregation', () => {
  test('always disaggregates unless a threshold is set; the set one reaches the router; a bad one is refused naming it', () => {
    expect(registry(prefill(), decode()).models[0].disaggregationThreshold).toBeUndefined();
    expect(registry(prefill(), decode(), { disaggregationThreshold: 1504 }).models[0].disaggregationThreshold).toBe(1504);
    expect(() => registry(prefill(), decode(), { disaggregationThreshold: -1 })).toThrow(
      'BedrockInvocationLayer: disaggregationThreshold must be a whole number of tokens, 0 or more; got -1.',
    );
  });
});
