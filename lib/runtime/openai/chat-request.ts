import { validationError } from '../bedrock/errors';
import { excerpt, isObject, optionalNumberInRange, requireObject, requireString, stopSequences, tokenLimit } from '../bedrock/validation';
import { toolIdentifier } from '../bedrock/converse-content';
import { stopSequenceLimit } from '../bedrock/request-options';
import type { ChatPrompt, SamplingParameters } from '../routing/generation';
import type { ModelRoute } from '../routing/registry';
import { parseExtraSampling } from './extra-sampling';
import type { ChatMessage, ToolCall, ToolChoice, ToolDefinition } from './worker-protocol';

/**
 * A chat completion request of the OpenAI-compatible path, checked and put in the router's terms.
 * The body is already the worker protocol's shape, so it passes through: `developer` messages
 * become `system` (what vLLM's templates know), content-part lists become their text, and the
 * fields are checked with OpenAI's ranges (temperature 0 to 2).
 */
export interface ChatParameters extends SamplingParameters {
  readonly prompt: ChatPrompt;
  readonly stream: boolean;
  /** `stream_options.include_usage`: a last chunk with the usage. */
  readonly includeUsage: boolean;
}

function text(value: unknown, field: string, nullable: boolean): string | null {
  if (typeof value === 'string') return value;
  if (value === null && nullable) return null;
  if (!Array.isArray(value)) throw validationError(`${field} must be a string or a list of text parts; got ${excerpt(value)}.`);
  return value
    .map((part, index) => {
      const at = `${field}[${index}]`;
      if (!isObject(part) || part.type !== 'text') {
        throw validationError(`${at} must be a text part ({"type": "text", "text": ...}); this endpoint takes text only.`);
      }
      return requireString(part.text, `${at}.text`);
    })
    .join('');
}

function toolCalls(value: unknown, field: string): ToolCall[] {
  if (!Array.isArray(value)) throw validationError(`${field} must be a list; got ${excerpt(value)}.`);
  return value.map((call, index) => {
    const at = `${field}[${index}]`;
    const c = requireObject(call, at);
    const fn = requireObject(c.function, `${at}.function`);
    return {
      id: requireString(c.id, `${at}.id`),
      type: 'function',
      function: { name: toolIdentifier(fn.name, `${at}.function.name`), arguments: requireString(fn.arguments, `${at}.function.arguments`) },
    };
  });
}

function message(value: unknown, index: number): ChatMessage {
  const field = `messages[${index}]`;
  const m = requireObject(value, field);
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: text(m.content, `${field}.content`, false)! };
    case 'user':
      return { role: 'user', content: text(m.content, `${field}.content`, false)! };
    case 'assistant': {
      const content = m.content === undefined ? null : text(m.content, `${field}.content`, true);
      if (m.tool_calls === undefined || m.tool_calls === null) return { role: 'assistant', content: content ?? '' };
      return { role: 'assistant', content, tool_calls: toolCalls(m.tool_calls, `${field}.tool_calls`) };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: requireString(m.tool_call_id, `${field}.tool_call_id`), content: text(m.content, `${field}.content`, false)! };
    default:
      throw validationError(`${field}.role must be "system", "developer", "user", "assistant" or "tool"; got ${excerpt(m.role)}.`);
  }
}

function tools(value: unknown): ToolDefinition[] {
  if (!Array.isArray(value) || value.length === 0) throw validationError(`tools must be a non-empty list; got ${excerpt(value)}.`);
  return value.map((tool, index) => {
    const at = `tools[${index}]`;
    const t = requireObject(tool, at);
    if (t.type !== 'function') throw validationError(`${at}.type must be "function"; got ${excerpt(t.type)}.`);
    const fn = requireObject(t.function, `${at}.function`);
    const parameters = fn.parameters === undefined ? { type: 'object', properties: {} } : requireObject(fn.parameters, `${at}.function.parameters`);
    const description = fn.description === undefined ? undefined : requireString(fn.description, `${at}.function.description`);
    return { type: 'function', function: { name: toolIdentifier(fn.name, `${at}.function.name`), ...(description ? { description } : {}), parameters } };
  });
}

function toolChoice(value: unknown, defined: readonly ToolDefinition[] | undefined): ToolChoice | undefined {
  if (value === undefined || value === null) return defined ? 'auto' : undefined;
  if (value === 'none' || value === 'auto' || value === 'required') {
    if (value !== 'none' && !defined) throw validationError(`tool_choice "${value}" needs tools.`);
    return value;
  }
  const choice = requireObject(value, 'tool_choice');
  const name = toolIdentifier(requireObject(choice.function, 'tool_choice.function').name, 'tool_choice.function.name');
  if (!defined?.some((tool) => tool.function.name === name)) throw validationError(`tool_choice names ${excerpt(name)}, which is not one of tools.`);
  return { type: 'function', function: { name } };
}

/** Fields that change what a correct answer is, which this endpoint cannot honour: refused, not ignored. */
function refuseUnsupported(body: Record<string, unknown>): void {
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw validationError(`n must be 1; this endpoint returns one choice; got ${excerpt(body.n)}.`);
  if (body.logprobs === true) throw validationError('logprobs is not supported by this endpoint.');
  const format = body.response_format;
  if (format !== undefined && format !== null && !(isObject(format) && format.type === 'text')) {
    throw validationError('response_format other than {"type": "text"} is not supported by this endpoint.');
  }
}

export function parseChatRequest(body: Record<string, unknown>, route: ModelRoute): ChatParameters {
  refuseUnsupported(body);
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw validationError('messages must be a non-empty list.');
  const messages = body.messages.map(message);
  const defined = body.tools === undefined || body.tools === null ? undefined : tools(body.tools);
  const choice = toolChoice(body.tool_choice, defined);
  const limit = route.config.maxOutputTokens;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const field = body.max_completion_tokens !== undefined && body.max_completion_tokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const stops = stopSequenceLimit(route, 'standard');
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw validationError(`stream must be true or false; got ${excerpt(body.stream)}.`);
  const streamOptions = body.stream_options === undefined || body.stream_options === null ? {} : requireObject(body.stream_options, 'stream_options');
  return {
    prompt: { messages, ...(defined ? { tools: defined } : {}), ...(choice ? { tool_choice: choice } : {}) },
    maxTokens: tokenLimit(maxTokens, field, limit, limit),
    temperature: optionalNumberInRange(body.temperature, 'temperature', 0, 2),
    topP: optionalNumberInRange(body.top_p, 'top_p', 0, 1),
    stopSequences: stopSequences(stop, 'stop', stops.limit, stops.owner),
    extra: parseExtraSampling(body, ''),
    stream: body.stream === true,
    includeUsage: streamOptions.include_usage === true,
  };
}
