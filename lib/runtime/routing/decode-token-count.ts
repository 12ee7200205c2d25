import { type CompletionResponse, PATHS } from '../openai/worker-protocol';
import { Deadline } from './deadline';
import type { FetchFunction } from './fetch-function';
import { isChat, type PromptInput } from './generation';
import type { ModelRoute } from './registry';
import { postJson } from './upstream';
import { failureToBedrock, UpstreamFailure, upstreamFailure } from './upstream-failure';

/** What counting on the decode endpoint needs. */
export interface DecodeTokenCountOptions {
  readonly fetch: FetchFunction;
  readonly route: ModelRoute;
  readonly prompt: PromptInput;
  /** The decode endpoint's API key, if it takes one. */
  readonly apiKey?: string;
  readonly signal: AbortSignal;
}

/**
 * Counts a prompt's tokens on the standard decode endpoint, for a route without prefill workers
 * (a CS-3 taking whole prompts): a completion of one token, whose `usage.prompt_tokens` is the
 * prompt as the endpoint's own tokenizer and chat template see it. vLLM's `/tokenize` is not
 * there to ask: a CS-3's OpenAI-compatible API serves chat completions, completions and models
 * (Cerebras inference docs, api.cerebras.ai/v1). The endpoint bills that one completion's input
 * tokens, which Bedrock's CountTokens does not.
 */
export async function countTokensOnDecode(options: DecodeTokenCountOptions): Promise<number> {
  const { route, prompt } = options;
  const { url, model } = route.config.decode;
  const deadline = new Deadline('token counting', route.timeouts.prefillMs, [options.signal]);
  try {
    const answer = await postJson<Partial<CompletionResponse>>(
      url,
      isChat(prompt) ? PATHS.chatCompletions : PATHS.completions,
      { model, ...prompt, max_tokens: 1, stream: false },
      { fetch: options.fetch, signal: deadline.signal, apiKey: options.apiKey },
      'token counting',
    );
    const count = answer.usage?.prompt_tokens;
    if (typeof count !== 'number') throw new UpstreamFailure('unavailable', 'token counting: the decode endpoint answered without usage.prompt_tokens', url);
    return count;
  } catch (error) {
    throw failureToBedrock(upstreamFailure(error, deadline.signal, url, 'token counting'));
  } finally {
    deadline.clear();
  }
}
