import { getInstanceTypeSpec, getModelSpec, ModelSpec } from '../../lib/hardware';
import { Cs3Endpoint, DecodeTier, decodeWeightBytes, prefillFlops, prefillReplica, timingOf, TrainiumReplica } from '../../lib/planning';

const LLAMA_70B = getModelSpec('llama-3.3-70b-instruct');
const LLAMA_405B = getModelSpec('llama-3.1-405b-instruct');
const TRN2 = getInstanceTypeSpec('trn2.48xlarge');
const prompt = (tokens: number) => ({ newTokens: tokens, contextTokens: tokens });

describe('prefill', () => {
  test('attention over the context makes a long prompt cost more than its length', () => {
    const replica = new TrainiumReplica(LLAMA_70B, TRN2);
    // Linear FLOPs double with the prompt; attention's quadruples, so 130k tokens cost far more than 13 x 10k.
    expect(prefillFlops(LLAMA_70B, prompt(20_000)) / prefillFlops(LLAMA_70B, prompt(10_000))).toBeGreaterThan(2.1);
    expect(replica.prefillComputeMs(prompt(130_000))).toBeGreaterThan(13 * replica.prefillComputeMs(prompt(10_000)) * 1.5);
  });

  test('a cached prefix is not computed again, but the new tokens still attend over it', () => {
    const replica = new TrainiumReplica(LLAMA_70B, TRN2);
    const cached = replica.prefillMs({ newTokens: 2000, contextTokens: 90_000 });
    expect(cached).toBeLessThan(replica.prefillMs(prompt(90_000)) / 10);
    expect(cached).toBeGreaterThan(replica.prefillMs(prompt(2000)));
  });

  test('the fleet\'s tensor-parallel degree feeds the rules: TP 16 owns a quarter of a trn2.48xlarge, so a prompt takes longer', () => {
    const tp64 = new TrainiumReplica(LLAMA_70B, TRN2, 64);
    const tp16 = new TrainiumReplica(LLAMA_70B, TRN2, 16);
    expect(tp16.share).toBe(0.25);
    expect(tp16.prefillMs(prompt(10_000))).toBeGreaterThan(2 * tp64.prefillMs(prompt(10_000)));
    // ...but the smaller shard loses less to communication.
    expect(tp16.tensorParallelEfficiency).toBeGreaterThan(tp64.tensorParallelEfficiency);
    expect(prefillReplica({ model: LLAMA_70B, prefill: { instanceType: 'trn2.48xlarge', tensorParallelDegree: 16 } }).tensorParallelDegree).toBe(16);
  });

  test('a degree that does not divide the cores, or a shard too small for the weights, is an error naming the fix', () => {
    expect(() => new TrainiumReplica(LLAMA_70B, TRN2, 48)).toThrow('Tensor-parallel degree 48 does not divide the 64 logical NeuronCores of trn2.48xlarge.');
    expect(() => new TrainiumReplica(LLAMA_405B, TRN2, 16)).toThrow(/llama-3.1-405b-instruct needs 754 GiB for its weights; 16 of the 64 logical NeuronCores of trn2.48xlarge own 384 GiB/);
  });

  test('Trainium1 is slower than Trainium2 for the same prompt', () => {
    const trn1 = new TrainiumReplica(LLAMA_70B, getInstanceTypeSpec('trn1.32xlarge'));
    expect(trn1.prefillMs(prompt(4000))).toBeGreaterThan(new TrainiumReplica(LLAMA_70B, TRN2).prefillMs(prompt(4000)));
  });
});

describe('decode', () => {
  test("a Trainium step reads the weights once and each sequence's KV: it grows with the batch and the context, far less than linearly", () => {
    const replica = new TrainiumReplica(LLAMA_70B, TRN2);
    const one = replica.decodeStepMs({ sequences: 1, contextTokens: 4000 });
    const eight = replica.decodeStepMs({ sequences: 8, contextTokens: 8 * 4000 });
    expect(eight).toBeGreaterThan(one);
    expect(eight).toBeLessThan(2 * one);
    expect(replica.decodeStepMs({ sequences: 1, contextTokens: 100_000 })).toBeGreaterThan(one);
  });

  test('a decode replica holds as much KV as its memory leaves after the weights', () => {
    const limits = new TrainiumReplica(LLAMA_70B, TRN2).decodeLimits;
    // 1,536 GiB x 0.9 less 140 GB of weights, at 320 KiB a token: about 3.8 million tokens.
    expect(limits.kvCapacityTokens).toBe(Math.floor((1536 * 1024 ** 3 * 0.9 - 140e9) / 327_680));
    expect(limits.maxSequences).toBe(256);
  });

  test('a CS-3 streams at the published speed whatever the batch, up to its stream limit', () => {
    const cs3 = new Cs3Endpoint(LLAMA_70B, 8);
    expect(1000 / cs3.decodeStepMs()).toBe(2314);
    expect(cs3.decodeLimits.maxSequences).toBe(8);
    expect(() => new Cs3Endpoint(LLAMA_70B, 0)).toThrow('CS-3 max streams must be a positive integer; got 0.');
  });
});

test('a mixture of experts runs by its active parameters, and a batch reads more of its experts', () => {
  // A made-up MoE: 100B parameters, 10B active, 64 experts with 2 per token.
  const moe: ModelSpec = { ...LLAMA_70B, name: 'moe-test', parametersBillions: 100, activeParametersBillions: 10, experts: { total: 64, perToken: 2 } };
  expect(prefillFlops(moe, { newTokens: 1, contextTokens: 1 })).toBeLessThan(prefillFlops(LLAMA_70B, { newTokens: 1, contextTokens: 1 }) / 6);
  expect(decodeWeightBytes(moe, 1)).toBeCloseTo(10e9 * 2, -3);
  expect(decodeWeightBytes(moe, 8)).toBeGreaterThan(decodeWeightBytes(moe, 1));
  expect(decodeWeightBytes(moe, 10_000)).toBeCloseTo(100e9 * 2, -3);
  expect(decodeWeightBytes(LLAMA_70B, 8)).toBe(70e9 * 2);
});

test('the KV hand-off runs at the slower end: a Trainium decode fleet takes the full EFA rate, a CS-3 its system I/O', () => {
  const trainium = timingOf({ model: LLAMA_70B, prefill: { instanceType: 'trn2.48xlarge' }, decode: DecodeTier.trainium('trn2.48xlarge') });
  const cs3 = timingOf({ model: LLAMA_70B, prefill: { instanceType: 'trn2.48xlarge' }, decode: DecodeTier.cs3() });
  expect(trainium.kvTransferMs(10_000)).toBeCloseTo((10_000 * 327_680 * 1000) / 270e9, 6);
  expect(cs3.kvTransferMs(10_000)).toBeCloseTo((10_000 * 327_680 * 1000) / 150e9, 6);
  // A TP 16 prefill server's devices own a quarter of the instance's egress.
  const quarter = timingOf({ model: LLAMA_70B, prefill: { instanceType: 'trn2.48xlarge', tensorParallelDegree: 16 }, decode: DecodeTier.trainium('trn2.48xlarge') });
  expect(quarter.kvTransferMs(10_000)).toBeCloseTo((10_000 * 327_680 * 1000) / (270e9 / 4), 6);
});
