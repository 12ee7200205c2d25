import { getModelSpec } from '../../../lib/hardware';
import { DecodeTier, timingOf } from '../../../lib/planning/serving-config';
import { disaggregationThreshold } from '../../../lib/planning/timing/disaggregation-threshold';
import { NO_TIMING } from '../../../lib/planning/timing/serving-timing';
import { decideDisaggregation, isKvHandoffFailure } from '../../../lib/runtime/routing/disaggregation';
import { UpstreamFailure } from '../../../lib/runtime/routing/upstream-failure';

const LLAMA_70B = getModelSpec('llama-3.3-70b-instruct');
const onTrainiumDecode = timingOf({ model: LLAMA_70B, prefill: { instanceType: 'trn2.48xlarge' }, decode: DecodeTier.trainium('trn2.48xlarge') });
const onCs3 = timingOf({ model: LLAMA_70B, prefill: { instanceType: 'trn2.48xlarge' }, decode: DecodeTier.cs3() });

test('conditional disaggregation, both sides of the threshold: at most the threshold uncached on the decode worker goes straight to it', () => {
  // 60,000-token prompt, the decode worker holding all but 1,500 of it (its last turn): local.
  expect(decideDisaggregation(true, 1504, 60_000, 58_500)).toEqual({ path: 'local', uncachedTokens: 1500, threshold: 1504 });
  expect(decideDisaggregation(true, 1504, 60_000, 60_000 - 1504).path).toBe('local');
  // One token more, or a decode worker that holds nothing of it: remote.
  expect(decideDisaggregation(true, 1504, 60_000, 60_000 - 1505)).toEqual({ path: 'remote', uncachedTokens: 1505, threshold: 1504 });
  expect(decideDisaggregation(true, 1504, 60_000, 0).path).toBe('remote');
  // A short prompt nobody has seen is short enough too (Dynamo's rule: the length without the hit).
  expect(decideDisaggregation(true, 1504, 900, 0).path).toBe('local');
  // Threshold 0 always disaggregates; the last token is always computed, so a full hit still counts 1.
  expect(decideDisaggregation(true, 0, 60_000, 60_000)).toEqual({ path: 'remote', uncachedTokens: 1, threshold: 0 });
  // An endpoint that takes whole prompts gets them, whatever the threshold.
  expect(decideDisaggregation(false, 1504, 60_000, 59_000).path).toBe('replay');
});

test("the threshold comes from the hardware's timing rules: where prefilling on the decode worker stops paying", () => {
  const threshold = disaggregationThreshold(onTrainiumDecode, LLAMA_70B.contextWindow);
  // Llama 3.3 70B, trn2.48xlarge prefill and decode: about 1,500 tokens, in whole 16-token blocks.
  expect(threshold).toBeGreaterThan(1000);
  expect(threshold).toBeLessThan(2500);
  expect(threshold % 16).toBe(0);
  // At the threshold, the decode worker's extra compute is at most what the remote path adds beyond its own compute; past it, more.
  const extraOnDecode = (n: number) => onTrainiumDecode.replayPrefillMs({ newTokens: n, contextTokens: n }) - onTrainiumDecode.replayPrefillMs({ newTokens: 0, contextTokens: 0 });
  const remoteOverhead = (n: number) => onTrainiumDecode.prefillMs({ newTokens: 0, contextTokens: 0 }) + onTrainiumDecode.kvTransferMs(n);
  expect(extraOnDecode(threshold)).toBeLessThanOrEqual(remoteOverhead(threshold));
  expect(extraOnDecode(threshold + 16)).toBeGreaterThan(remoteOverhead(threshold + 16));
  // Attending over a long cached context makes each new token dearer: a lower threshold.
  expect(disaggregationThreshold(onTrainiumDecode, LLAMA_70B.contextWindow, 50_000)).toBeLessThan(threshold);
  // A CS-3's fixed cost per prompt is above a short remote prefill: never bypass.
  expect(disaggregationThreshold(onCs3, LLAMA_70B.contextWindow)).toBe(0);
  // No timing at all: everything is as cheap locally, up to the window.
  expect(disaggregationThreshold(NO_TIMING, 4096)).toBe(4096);
});

test('a KV hand-off failure is the decode worker answering a server error to a pull, not a worker that did not answer', () => {
  const decode = 'http://d0';
  expect(isKvHandoffFailure(new UpstreamFailure('unavailable', 'decode: KV load failed', decode, 'lease expired', 503), decode)).toBe(true);
  // vLLM's streamed error under kv_load_failure_policy: fail.
  expect(isKvHandoffFailure(new UpstreamFailure('unavailable', 'decode: Internal server error', decode, undefined, 500), decode)).toBe(true);
  expect(isKvHandoffFailure(new UpstreamFailure('unavailable', 'decode: connection refused', decode), decode)).toBe(false);
  expect(isKvHandoffFailure(new UpstreamFailure('rejected', 'decode: bad request', decode, undefined, 400), decode)).toBe(false);
  expect(isKvHandoffFailure(new UpstreamFailure('unavailable', 'prefill: 503', 'http://p0', undefined, 503), decode)).toBe(false);
});
