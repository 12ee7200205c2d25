import { ModelRoute } from '../routing/registry';
import { GenerationEnd, SamplingParameters } from '../routing/generation';
import { optionalNumberInRange, requireObject, tokenLimit } from './validation';
import { validationError } from './errors';
import { bedrockUsage } from './token-usage';

/**
 * InvokeModel's native body format: Meta Llama on Bedrock.
 * Request `{prompt, max_gen_len?, temperature?, top_p?}`; answer
 * `{generation, prompt_token_count, generation_token_count, stop_reason}`; streamed chunks of
 * the same shape, the last one adding `amazon-bedrock-invocationMetrics`.
 * The prompt is sent as is: callers apply Llama's chat template themselves, as on Bedrock.
 */

/** Bedrock's default `max_gen_len` for Llama models. */
const DEFAULT_MAX_GEN_LEN = 512;

/** Llama's native body has no stop sequences. */
export interface LlamaParameters extends Omit<SamplingParameters, 'stopSequences'> {
  readonly prompt: string;
}

export function parseLlamaRequest(body: unknown, route: ModelRoute): LlamaParameters {
  const request = requireObject(body, 'The request body');
  if (typeof request.prompt !== 'string' || request.prompt.length === 0) throw validationError('prompt must be a non-empty string.');
  const max = route.config.maxOutputTokens;
  return {
    prompt: request.prompt,
    maxTokens: tokenLimit(request.max_gen_len, 'max_gen_len', max, Math.min(DEFAULT_MAX_GEN_LEN, max)),
    temperature: optionalNumberInRange(request.temperature, 'temperature', 0, 1),
    topP: optionalNumberInRange(request.top_p, 'top_p', 0, 1),
  };
}

/** Llama's stop reasons: `stop` (end of text or a stop string) or `length` (the token limit or the context window). */
function llamaStopReason(end: GenerationEnd): 'stop' | 'length' {
  return end.stopReason === 'max_tokens' || end.stopReason === 'model_context_window_exceeded' ? 'length' : 'stop';
}

export function llamaResponse(text: string, end: GenerationEnd) {
  return {
    generation: text,
    prompt_token_count: end.inputTokens,
    generation_token_count: end.outputTokens,
    stop_reason: llamaStopReason(end),
  };
}

/** One streamed chunk per text delta; the prompt token count rides on the first, as Bedrock sends it. */
export function llamaDeltaChunk(text: string, tokensSoFar: number, promptTokens: number | null) {
  return { generation: text, prompt_token_count: promptTokens, generation_token_count: tokensSoFar, stop_reason: null };
}

export function llamaFinalChunk(end: GenerationEnd, latencyMs: number, firstByteLatencyMs: number) {
  const usage = bedrockUsage(end);
  return {
    generation: '',
    prompt_token_count: null,
    generation_token_count: end.outputTokens,
    stop_reason: llamaStopReason(end),
    // Bedrock's invocation metrics count input as its usage does: apart from the cache's reads and writes.
    'amazon-bedrock-invocationMetrics': {
      inputTokenCount: usage.inputTokens,
      outputTokenCount: end.outputTokens,
      cacheReadInputTokenCount: usage.cacheReadInputTokens,
      cacheWriteInputTokenCount: usage.cacheWriteInputTokens,
      invocationLatency: Math.round(latencyMs),
      firstByteLatency: Math.round(firstByteLatencyMs),
    },
  };
}
