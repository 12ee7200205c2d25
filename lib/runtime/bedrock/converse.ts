import { validationError } from './errors';
import { ChatMessage } from '../openai/worker-protocol';
import { ModelRoute } from '../routing/registry';
import { GenerationEnd, SamplingParameters } from '../routing/generation';
import { isObject, optionalNumberInRange, optionalStringList, requireObject, tokenLimit } from './validation';

/** The Converse API's request and answer shapes (text content only). */

/** Stop sequences Bedrock accepts per request. */
const MAX_STOP_SEQUENCES = 4;

export interface ConverseParameters extends SamplingParameters {
  readonly messages: ChatMessage[];
}

function textOf(blocks: unknown, field: string): string {
  if (!Array.isArray(blocks) || blocks.length === 0) throw validationError(`${field} must be a non-empty list of content blocks.`);
  return blocks
    .map((block, index) => {
      if (!isObject(block)) throw validationError(`${field}[${index}] must be a content block object.`);
      if (typeof block.text !== 'string') {
        const kind = Object.keys(block)[0] ?? 'empty';
        throw validationError(`${field}[${index}] is a ${kind} block; this endpoint accepts text blocks only.`);
      }
      return block.text;
    })
    .join('');
}

/** The chat of a Converse (or CountTokens converse) request: `system` first, then the messages. */
export function parseConverseMessages(body: Record<string, unknown>): ChatMessage[] {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw validationError('messages must be a non-empty list.');
  const chat: ChatMessage[] = [];
  if (body.system !== undefined) chat.push({ role: 'system', content: textOf(body.system, 'system') });
  messages.forEach((message, index) => {
    const m = requireObject(message, `messages[${index}]`);
    if (m.role !== 'user' && m.role !== 'assistant') {
      throw validationError(`messages[${index}].role must be "user" or "assistant"; got ${JSON.stringify(m.role)}.`);
    }
    chat.push({ role: m.role, content: textOf(m.content, `messages[${index}].content`) });
  });
  if (chat[chat.length - 1].role !== 'user') throw validationError('The last message must have the role "user".');
  return chat;
}

/**
 * Converse fields that change what a correct answer is, which this endpoint cannot honour: refused
 * rather than ignored, so a caller never mistakes an answer without tools or guardrails for one with.
 */
const UNSUPPORTED_FIELDS = {
  toolConfig: 'tool use',
  guardrailConfig: 'guardrails',
} as const;

export function parseConverseRequest(body: unknown, route: ModelRoute): ConverseParameters {
  const request = requireObject(body, 'The request body');
  for (const [field, feature] of Object.entries(UNSUPPORTED_FIELDS)) {
    if (request[field] !== undefined) {
      throw validationError(`${field} is not supported: this endpoint serves text generation without ${feature}. Remove ${field}.`);
    }
  }
  const messages = parseConverseMessages(request);
  const config = request.inferenceConfig === undefined ? {} : requireObject(request.inferenceConfig, 'inferenceConfig');
  return {
    messages,
    maxTokens: tokenLimit(config.maxTokens, 'inferenceConfig.maxTokens', route.config.maxOutputTokens, route.config.maxOutputTokens),
    temperature: optionalNumberInRange(config.temperature, 'inferenceConfig.temperature', 0, 1),
    topP: optionalNumberInRange(config.topP, 'inferenceConfig.topP', 0, 1),
    stopSequences: optionalStringList(config.stopSequences, 'inferenceConfig.stopSequences', MAX_STOP_SEQUENCES),
  };
}

function usage(end: GenerationEnd) {
  return { inputTokens: end.inputTokens, outputTokens: end.outputTokens, totalTokens: end.inputTokens + end.outputTokens };
}

export function converseResponse(text: string, end: GenerationEnd, latencyMs: number) {
  return {
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason: end.stopReason,
    usage: usage(end),
    metrics: { latencyMs: Math.round(latencyMs) },
  };
}

/** The ConverseStream events around the text deltas, in the order the client expects. */
export const converseStreamEvents = {
  start: () => ['messageStart', { role: 'assistant' }] as const,
  delta: (text: string) => ['contentBlockDelta', { contentBlockIndex: 0, delta: { text } }] as const,
  end: (end: GenerationEnd, latencyMs: number) =>
    [
      ['contentBlockStop', { contentBlockIndex: 0 }],
      ['messageStop', { stopReason: end.stopReason }],
      ['metadata', { usage: usage(end), metrics: { latencyMs: Math.round(latencyMs) } }],
    ] as const,
};
