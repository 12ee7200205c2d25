import type { GenerationEnd } from '../routing/generation';

/**
 * Token usage as Bedrock reports it (AWS prompt-caching semantics,
 * docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html): `inputTokens` are the prompt
 * tokens neither read from nor written to the cache, `cacheReadInputTokens` those the worker's prefix
 * cache served (vLLM's `usage.prompt_tokens_details.cached_tokens`), `cacheWriteInputTokens` those
 * written to the cache of a prefix a cachePoint asked to keep (as the workers report it; vLLM, which
 * caches every prefix on its own, reports none). The prompt is their sum. Converse and ConverseStream
 * carry these fields; InvokeModel the same counts in its headers and invocation metrics.
 */
export function bedrockUsage(end: GenerationEnd) {
  const cacheRead = Math.min(end.cachedInputTokens, end.inputTokens);
  const cacheWrite = Math.min(end.cacheWriteInputTokens, end.inputTokens - cacheRead);
  return {
    inputTokens: end.inputTokens - cacheRead - cacheWrite,
    outputTokens: end.outputTokens,
    totalTokens: end.inputTokens + end.outputTokens,
    cacheReadInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
  };
}
