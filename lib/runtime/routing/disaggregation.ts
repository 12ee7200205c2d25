import { UpstreamFailure } from './upstream-failure';

/** How one attempt gets the prompt's KV onto its decode worker. */
export interface DisaggregationDecision {
  /** `remote`: a prefill worker computes it and the decode worker pulls the KV; `local`: the decode worker computes what it lacks; `replay`: the endpoint takes whole prompts only. */
  readonly path: 'remote' | 'local' | 'replay';
  /** Prompt tokens the router expects the decode worker to lack (at least 1: the last token is always computed). */
  readonly uncachedTokens: number;
  /** The threshold compared with. */
  readonly threshold: number;
}

/**
 * Conditional disaggregation (Dynamo's conditional disaggregation, llm-d's prefix-based P/D decider):
 * when the decode worker already holds all but `threshold` tokens of the prompt (its cache of the
 * conversation's last turn), computing the rest there costs less than a remote prefill and the KV
 * transfer, and the request skips the prefill workers. Like llm-d's decider, the uncached part is
 * measured on the chosen decode worker (`nonCachedTokens = inputTokens - hitPrefixTokens`, its
 * prefix_based_pd_decider.go). A threshold of 0 always disaggregates.
 */
export function decideDisaggregation(canIngestKv: boolean, threshold: number, promptTokens: number, cachedOnDecode: number): DisaggregationDecision {
  const uncachedTokens = Math.max(1, promptTokens - cachedOnDecode);
  const path = !canIngestKv ? 'replay' : uncachedTokens <= threshold ? 'local' : 'remote';
  return { path, uncachedTokens, threshold };
}

/**
 * Whether a decode call that was to pull KV failed because the hand-off did (lease expired, prefill
 * worker gone, transfer broken): the decode worker answered, before any output, with a server error,
 * as the call (the mock: 503 KvLoadFailure) or streamed (vLLM under `kv_load_failure_policy: fail`:
 * `{"error": {"code": 500}}`; its default since vllm-project/vllm PR 34896). A worker that does not
 * answer at all is down, not the hand-off: that one is retried elsewhere as any failure is.
 */
export function isKvHandoffFailure(error: unknown, decodeUrl: string): error is UpstreamFailure {
  return (
    error instanceof UpstreamFailure &&
    error.kind === 'unavailable' &&
    error.workerUrl === decodeUrl &&
    error.status !== undefined &&
    error.status >= 500
  );
}
