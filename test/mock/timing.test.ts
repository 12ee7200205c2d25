import { getInstanceTypeSpec, getModelSpec } from '../../lib/hardware';
import { MockTiming } from '../../lib/mock';
import { TrainiumReplica } from '../../lib/planning';

const LLAMA_70B = getModelSpec('llama-3.3-70b-instruct');
const PROMPT = { newTokens: 1000, contextTokens: 1000 };

test("realistic timing is the planner's rules: Trainium2 prefill, KV over the slower end, CS-3 decode speed", () => {
  const timing = MockTiming.REALISTIC.timingFor(LLAMA_70B, 'trn2.48xlarge');
  expect(timing.prefillMs(PROMPT)).toBe(new TrainiumReplica(LLAMA_70B, getInstanceTypeSpec('trn2.48xlarge')).prefillMs(PROMPT));
  // 1,000 tokens x 320 KiB over the CS-3's 150 GB/s of system I/O, below the trn2.48xlarge's measured 270 GB/s of EFA egress.
  expect(timing.kvTransferMs(1000)).toBeCloseTo((1000 * 327_680 * 1000) / 150e9, 6);
  expect(timing.decodeStepMs({ sequences: 1, contextTokens: 1000 })).toBeCloseTo(1000 / 2314, 6);
  expect(MockTiming.REALISTIC.timingFor(LLAMA_70B, 'trn1.32xlarge').prefillMs(PROMPT)).toBeGreaterThan(timing.prefillMs(PROMPT));
  const none = MockTiming.NONE.timingFor(LLAMA_70B);
  expect(none.prefillMs(PROMPT) + none.kvTransferMs(1000) + none.decodeStepMs({ sequences: 1, contextTokens: 1 })).toBe(0);
});

test('an unknown timing name is an error naming the choices', () => {
  expect(() => MockTiming.of('fast')).toThrow("Unknown timing 'fast': use 'none' or 'realistic'.");
});

test('a mixture of experts prefills with its active parameters; a sliding window caps part of its KV transfer', () => {
  const oss = MockTiming.REALISTIC.timingFor(getModelSpec('gpt-oss-120b'), 'trn2.48xlarge');
  const llama = MockTiming.REALISTIC.timingFor(LLAMA_70B, 'trn2.48xlarge');
  // 5.13B active parameters (of 116.83B) compute much less than Llama's 70B, once the prompt outweighs the fixed overheads.
  const long = { newTokens: 10_000, contextTokens: 10_000 };
  expect(oss.prefillMs(long)).toBeLessThan(llama.prefillMs(long) / 3);
  // 1,000 tokens x 36 KiB (full-attention layers) plus 128 tokens x 36 KiB (sliding-window layers), over the CS-3's 150 GB/s.
  expect(oss.kvTransferMs(1000)).toBeCloseTo(((1000 + 128) * 36 * 1024 * 1000) / 150e9, 6);
  expect(oss.decodeStepMs({ sequences: 1, contextTokens: 1000 })).toBeCloseTo(1000 / 3000, 6);
});
