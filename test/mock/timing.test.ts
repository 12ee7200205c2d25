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
