import { getModelSpec } from '../../lib/hardware';
import { Timing } from '../../lib/mock/timing';

const LLAMA_70B = getModelSpec('llama-3.3-70b-instruct');

test('realistic timing follows the catalog: Trainium2 prefill, EFA KV egress, CS-3 decode speed', () => {
  const timing = Timing.realistic(LLAMA_70B, 'trn2.48xlarge');
  // 2 x 70e9 FLOPs per token x 1,000 tokens over 16 chips x 667 TFLOPS x 40%.
  expect(timing.prefillMs(1000)).toBeCloseTo((1000 * 2 * 70e9 * 1000) / (16 * 667e12 * 0.4), 6);
  // 1,000 tokens x 320 KiB over the measured 270 GB/s.
  expect(timing.kvTransferMs(1000)).toBeCloseTo((1000 * 327_680 * 1000) / 270e9, 6);
  expect(timing.decodeTokenMs()).toBeCloseTo(1000 / 2100, 6);
  expect(Timing.realistic(LLAMA_70B, 'trn1.32xlarge').prefillMs(1000)).toBeGreaterThan(timing.prefillMs(1000));
  expect(Timing.NONE.prefillMs(1000) + Timing.NONE.decodeTokenMs()).toBe(0);
});

test('a mixture of experts prefills with its active parameters; a sliding window caps part of its KV transfer', () => {
  const oss = getModelSpec('gpt-oss-120b');
  const timing = Timing.realistic(oss, 'trn2.48xlarge');
  // 2 x 5.13e9 active (not 116.83e9) FLOPs per token.
  expect(timing.prefillMs(1000)).toBeCloseTo((1000 * 2 * 5.13e9 * 1000) / (16 * 667e12 * 0.4), 6);
  // 1,000 tokens x 36 KiB (full-attention layers) plus 128 tokens x 36 KiB (sliding-window layers).
  expect(timing.kvTransferMs(1000)).toBeCloseTo(((1000 + 128) * 36 * 1024 * 1000) / 270e9, 6);
  expect(timing.decodeTokenMs()).toBeCloseTo(1000 / 3000, 6);
});
