import { parseAdditionalModelRequestFields } from '../openai/extra-sampling';
import type { ChatPrompt, LatencyTier, SamplingParameters } from '../routing/generation';
import type { ModelRoute } from '../routing/registry';
import { prefixCacheHint } from './converse-cache-points';
import { parseConverseMessages } from './converse-content';
import { parseToolConfig } from './converse-tools';
import { validationError } from './errors';
import { parsePerformanceConfig, parseRequestMetadata, stopSequenceLimit } from './request-options';
import { optionalNumberInRange, requireObject, stopSequences, tokenLimit } from './validation';

/** A Converse or ConverseStream request, read and checked. */
export interface ConverseParameters extends SamplingParameters {
  readonly prompt: ChatPrompt;
  readonly latency: LatencyTier;
  /** Pairs for the request's log line. */
  readonly requestMetadata?: Readonly<Record<string, string>>;
}

/**
 * Converse fields that change what a correct answer is, which this endpoint cannot honour: refused
 * rather than ignored, so a caller never mistakes an answer without guardrails for one with.
 */
const UNSUPPORTED_FIELDS = {
  guardrailConfig: 'guardrails',
} as const;

/** The chat of a Converse request or of CountTokens' `input.converse`: messages, system and tools, and the cachePoints' hint. */
export function parseConverseChat(body: Record<string, unknown>): ChatPrompt {
  const tools = body.toolConfig === undefined || body.toolConfig === null ? undefined : parseToolConfig(body.toolConfig);
  const messageEnds: number[] = [];
  const messages = parseConverseMessages(body, tools !== undefined, messageEnds);
  const hint = prefixCacheHint(body, messages, messageEnds);
  return {
    messages,
    ...(tools ? { tools: tools.tools, tool_choice: tools.tool_choice } : {}),
    ...(hint ? { prefix_cache_hint: hint } : {}),
  };
}

export function parseConverseRequest(body: unknown, route: ModelRoute): ConverseParameters {
  const request = requireObject(body, 'The request body');
  for (const [field, feature] of Object.entries(UNSUPPORTED_FIELDS)) {
    if (request[field] !== undefined) {
      throw validationError(`${field} is not supported: this endpoint serves generation without ${feature}. Remove ${field}.`);
    }
  }
  const prompt = parseConverseChat(request);
  const config = request.inferenceConfig === undefined ? {} : requireObject(request.inferenceConfig, 'inferenceConfig');
  const latency = parsePerformanceConfig(request.performanceConfig);
  const stops = stopSequenceLimit(route, latency);
  // Field paths into a response's additional fields (Vercel's AI SDK asks for /delta/stop_sequence
  // with Claude ids): this endpoint's answers have none, and Bedrock ignores paths it cannot find.
  if (request.additionalModelResponseFieldPaths !== undefined && !Array.isArray(request.additionalModelResponseFieldPaths)) {
    throw validationError('additionalModelResponseFieldPaths must be a list of JSON Pointer strings.');
  }
  const max = route.config.maxOutputTokens;
  return {
    prompt,
    maxTokens: tokenLimit(config.maxTokens, 'inferenceConfig.maxTokens', max, max),
    temperature: optionalNumberInRange(config.temperature, 'inferenceConfig.temperature', 0, 1),
    topP: optionalNumberInRange(config.topP, 'inferenceConfig.topP', 0, 1),
    stopSequences: stopSequences(config.stopSequences, 'inferenceConfig.stopSequences', stops.limit, stops.owner),
    extra: parseAdditionalModelRequestFields(request.additionalModelRequestFields),
    latency,
    requestMetadata: parseRequestMetadata(request.requestMetadata),
  };
}

