import type { ChatMessage, ToolCall } from '../openai/worker-protocol';
import { validationError } from './errors';
import { excerpt, isObject, requireObject, requireString } from './validation';

/**
 * Converse content blocks in the worker protocol's chat shape: `system` first, then each message.
 * Text is joined per message; `cachePoint` blocks mark cache boundaries for a prefix cache and
 * leave the chat (the last of them becomes the request's cache hint: converse-cache-points.ts);
 * `toolUse` blocks become the assistant message's
 * `tool_calls`; `toolResult` blocks become `tool` messages (ahead of any text of the same user
 * message, as the tools protocol wants them right after the call); `reasoningContent` blocks
 * the client replays are dropped, as chat templates drop earlier turns' reasoning.
 */

/**
 * Bedrock's ToolName and ToolUseId: `[a-zA-Z0-9_-]+`, 1 to 64 characters (bedrock-runtime service
 * model); OpenAI's function names follow the same rule (`^[a-zA-Z0-9_-]{1,64}$`).
 */
export const TOOL_IDENTIFIER = /^[a-zA-Z0-9_-]{1,64}$/;

const TEXT_ONLY = 'this endpoint accepts text blocks only (with toolUse, toolResult, reasoningContent and cachePoint blocks)';

function blockKind(block: Record<string, unknown>): string {
  return Object.keys(block)[0] ?? 'empty';
}

/** Checks a cachePoint block (`{type: 'default', ttl?: '5m' | '1h'}`); it carries nothing for the worker. */
export function checkCachePoint(value: unknown, field: string): void {
  const point = requireObject(value, field);
  if (point.type !== 'default') throw validationError(`${field}.type must be "default"; got ${excerpt(point.type)}.`);
  if (point.ttl !== undefined && point.ttl !== '5m' && point.ttl !== '1h') {
    throw validationError(`${field}.ttl must be "5m" or "1h"; got ${excerpt(point.ttl)}.`);
  }
}

/** A tool identifier (a tool's name or a toolUseId) as Bedrock allows it. */
export function toolIdentifier(value: unknown, field: string): string {
  if (typeof value !== 'string' || !TOOL_IDENTIFIER.test(value)) {
    throw validationError(`${field} must be 1 to 64 letters, digits, underscores or hyphens; got ${excerpt(value)}.`);
  }
  return value;
}

/** The `system` list: text blocks (joined) and cachePoints; an empty list is no system prompt (what Vercel's AI SDK sends). */
export function parseSystem(value: unknown): ChatMessage | undefined {
  if (!Array.isArray(value)) throw validationError(`system must be a list of content blocks; got ${excerpt(value)}.`);
  let text: string | undefined;
  value.forEach((block, index) => {
    const field = `system[${index}]`;
    if (!isObject(block)) throw validationError(`${field} must be a content block object; got ${excerpt(block)}.`);
    if (block.text !== undefined) text = (text ?? '') + requireString(block.text, `${field}.text`);
    else if (block.cachePoint !== undefined) checkCachePoint(block.cachePoint, `${field}.cachePoint`);
    else throw validationError(`${field} is a ${blockKind(block)} block; ${TEXT_ONLY}.`);
  });
  return text === undefined ? undefined : { role: 'system', content: text };
}

/** The text a toolResult hands back: its text blocks, and json blocks as JSON text; an error result says so. */
function toolResultText(result: Record<string, unknown>, field: string): string {
  const content = result.content;
  if (!Array.isArray(content)) throw validationError(`${field}.content must be a list of blocks; got ${excerpt(content)}.`);
  const parts = content.map((block, index) => {
    const at = `${field}.content[${index}]`;
    if (!isObject(block)) throw validationError(`${at} must be a block object; got ${excerpt(block)}.`);
    if (block.text !== undefined) return requireString(block.text, `${at}.text`);
    if (block.json !== undefined) return JSON.stringify(block.json);
    throw validationError(`${at} is a ${blockKind(block)} block; tool results may hold text and json blocks only.`);
  });
  if (result.status !== undefined && result.status !== 'success' && result.status !== 'error') {
    throw validationError(`${field}.status must be "success" or "error"; got ${excerpt(result.status)}.`);
  }
  // The tools protocol has no status: an error result tells the model in its text (unless the text says so already).
  const text = parts.join('\n');
  return result.status === 'error' && !/^error\b/i.test(text) ? `Error: ${text}` : text;
}

function toolCall(use: Record<string, unknown>, field: string): ToolCall {
  const id = toolIdentifier(use.toolUseId, `${field}.toolUseId`);
  const name = toolIdentifier(use.name, `${field}.name`);
  // As Bedrock: the input a model produced is an object; a replayed one must be too.
  if (!isObject(use.input)) throw validationError(`${field}.input must be a JSON object; got ${excerpt(use.input)}.`);
  return { id, type: 'function', function: { name, arguments: JSON.stringify(use.input) } };
}

/**
 * One Converse message as chat messages. `toolsDefined` says whether the request has a toolConfig:
 * as on Bedrock, toolUse and toolResult blocks need one.
 */
function parseMessage(message: unknown, index: number, toolsDefined: boolean): ChatMessage[] {
  const field = `messages[${index}]`;
  const m = requireObject(message, field);
  if (m.role !== 'user' && m.role !== 'assistant') {
    throw validationError(`${field}.role must be "user" or "assistant"; got ${excerpt(m.role)}.`);
  }
  const role = m.role;
  if (!Array.isArray(m.content) || m.content.length === 0) throw validationError(`${field}.content must be a non-empty list of content blocks.`);
  let text: string | undefined;
  const calls: ToolCall[] = [];
  const results: ChatMessage[] = [];
  m.content.forEach((block, blockIndex) => {
    const at = `${field}.content[${blockIndex}]`;
    if (!isObject(block)) throw validationError(`${at} must be a content block object; got ${excerpt(block)}.`);
    const kind = blockKind(block);
    if (block.text !== undefined) {
      text = (text ?? '') + requireString(block.text, `${at}.text`);
    } else if (block.cachePoint !== undefined) {
      checkCachePoint(block.cachePoint, `${at}.cachePoint`);
    } else if (block.toolUse !== undefined || block.toolResult !== undefined) {
      if (!toolsDefined) throw validationError(`${at}: toolConfig field must be defined when using toolUse and toolResult content blocks.`);
      if (block.toolUse !== undefined) {
        if (role !== 'assistant') throw validationError(`${at} is a toolUse block; only assistant messages hold them.`);
        calls.push(toolCall(requireObject(block.toolUse, `${at}.toolUse`), `${at}.toolUse`));
      } else {
        if (role !== 'user') throw validationError(`${at} is a toolResult block; only user messages hold them.`);
        const result = requireObject(block.toolResult, `${at}.toolResult`);
        const id = toolIdentifier(result.toolUseId, `${at}.toolResult.toolUseId`);
        results.push({ role: 'tool', tool_call_id: id, content: toolResultText(result, `${at}.toolResult`) });
      }
    } else if (block.reasoningContent !== undefined) {
      if (role !== 'assistant') throw validationError(`${at} is a reasoningContent block; only assistant messages hold them.`);
      requireObject(block.reasoningContent, `${at}.reasoningContent`);
    } else {
      throw validationError(`${at} is a ${kind} block; ${TEXT_ONLY}.`);
    }
  });
  if (role === 'assistant') {
    if (calls.length > 0) return [{ role, content: text ?? null, tool_calls: calls }];
    return [{ role, content: text ?? '' }];
  }
  if (text === undefined && results.length === 0) throw validationError(`${field}.content holds no text or toolResult block.`);
  return text === undefined ? results : [...results, { role, content: text }];
}

/**
 * The chat of a Converse (or CountTokens converse) request: `system` first, then the messages.
 * `messageEnds`, when given, gets the chat's length after each Converse message (one may become
 * several chat messages: its tool results, then its text).
 */
export function parseConverseMessages(body: Record<string, unknown>, toolsDefined: boolean, messageEnds?: number[]): ChatMessage[] {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw validationError('messages must be a non-empty list.');
  const chat: ChatMessage[] = [];
  if (body.system !== undefined && body.system !== null) {
    const system = parseSystem(body.system);
    if (system) chat.push(system);
  }
  messages.forEach((message, index) => {
    chat.push(...parseMessage(message, index, toolsDefined));
    messageEnds?.push(chat.length);
  });
  const last = (messages[messages.length - 1] as { role: string }).role;
  if (last !== 'user') throw validationError('The last message must have the role "user".');
  return chat;
}
