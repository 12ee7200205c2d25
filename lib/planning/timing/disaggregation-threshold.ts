import type { ServingTiming } from './serving-timing';

/** The granularity of the search: vLLM's KV block, the unit a prefix cache hit comes in. */
const STEP_TOKENS = 16;

/**
 * Conditional disaggregation's threshold: the most uncached prompt tokens for which prefilling them
 * on the decode worker beats sending them to a prefill worker and pulling their KV. The router sends
 * a request straight to decode when the part of its prompt the decode worker lacks is at most this
 * (Dynamo's `max_local_prefill_length`, llm-d's `nonCachedTokens`; both take a fixed number, 1000 and
 * 16-512 in their samples; this one is derived from the timing rules of the hardware and model).
 *
 * For an uncached part of n tokens (attending over `cachedContextTokens` already cached), local
 * prefill must pass two tests, for n and for every shorter part:
 * - it is no slower for the request: `replayPrefillMs(n) <= prefillMs(n) + kvTransferMs(n)`;
 * - the compute it puts on the decode worker (its prefill time beyond its fixed per-prompt cost),
 *   during which that worker's running streams wait, is no more than what the remote path adds
 *   beyond the compute itself: the prefill server's fixed cost and moving the KV,
 *   `replayPrefillMs(n) - replayPrefillMs(0) <= prefillMs(0) + kvTransferMs(n)`.
 * The first keeps requests from getting slower; the second keeps a decode worker from doing work a
 * prefill worker would do at little extra cost. With a Trainium decode fleet (same chips as prefill)
 * the second decides: Llama 3.3 70B on trn2.48xlarge gives about 1,500 tokens. With a CS-3 the first
 * fails at once (its fixed cost per prompt is above a whole short remote prefill): 0, never bypass,
 * which also fits a CS-3 taking whole prompts rather than KV. Timing `none` (all zeros) gives `maxTokens`.
 *
 * @param maxTokens the search's end (the model's context window)
 * @returns a multiple of 16 tokens, from 0 to `maxTokens`
 */
export function disaggregationThreshold(timing: ServingTiming, maxTokens: number, cachedContextTokens = 0): number {
  const work = (n: number) => ({ newTokens: n, contextTokens: cachedContextTokens + n });
  const replayFixed = timing.replayPrefillMs(work(0));
  const remoteFixed = timing.prefillMs(work(0));
  const localWins = (n: number) => {
    const local = timing.replayPrefillMs(work(n));
    const transfer = timing.kvTransferMs(n);
    return local <= timing.prefillMs(work(n)) + transfer && local - replayFixed <= remoteFixed + transfer;
  };
  let threshold = 0;
  for (let n = STEP_TOKENS; n <= maxTokens && localWins(n); n += STEP_TOKENS) threshold = n;
  return threshold;
}
