import type { ChatMessage, ToolChoice, ToolDefinition } from '../runtime/openai/worker-protocol';

/**
 * When the mock model calls a tool, and with what arguments. Deterministic, so tests and agent
 * loops can rely on it (the README's "Local mock mode" states the same rules):
 *
 * - No tools, `tool_choice: none`, or a conversation whose last message is a tool result: no call
 *   (the answer is text, and uses the result).
 * - `auto`: a call when the last user message names a tool (its name as a whole word, e.g.
 *   "Use get_weather for Paris"); the tool named first in the message.
 * - `required` (Bedrock's `any`): the tool the last user message names, else the first tool.
 * - A named function (Bedrock's `tool{name}`): that tool.
 *
 * Arguments follow the tool's JSON schema (`argumentsFor`).
 */
export function chosenTool(messages: readonly ChatMessage[], tools: readonly ToolDefinition[] | undefined, choice: ToolChoice | undefined): ToolDefinition | undefined {
  if (!tools || tools.length === 0 || choice === 'none') return undefined;
  if (messages[messages.length - 1]?.role === 'tool') return undefined;
  if (typeof choice === 'object') return tools.find((tool) => tool.function.name === choice.function.name);
  const named = namedTool(lastUserText(messages), tools);
  if (choice === 'required') return named ?? tools[0];
  return named;
}

/** The text of the last user message ('' when there is none). */
export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message.role === 'user') return message.content;
  }
  return '';
}

/** The tool whose name appears first in `text` as a whole word (letters, digits, `_` and `-` around it do not count). */
function namedTool(text: string, tools: readonly ToolDefinition[]): ToolDefinition | undefined {
  let best: { tool: ToolDefinition; at: number } | undefined;
  for (const tool of tools) {
    const escaped = tool.function.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`(^|[^A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`).exec(text);
    if (match && (!best || match.index < best.at)) best = { tool, at: match.index };
  }
  return best?.tool;
}

type Schema = Record<string, unknown>;

/**
 * Arguments for a tool, from its JSON schema and the last user message:
 * - an object gets its `required` properties only, each by its own schema (nested objects alike);
 * - `enum` takes the first value, `const` its value, `anyOf` / `oneOf` the first alternative, a
 *   list of types the first that is not `null`;
 * - a string is the message's last word (a run of letters and digits), else `"value"`;
 * - a number or integer is the first number in the message, else `minimum`, else 1, kept within
 *   `minimum` and `maximum` (integers rounded);
 * - a boolean is `true`, `null` is null, an array holds one item by its `items` schema (none without one);
 * - a schema without a type is taken as a string.
 */
export function argumentsFor(tool: ToolDefinition, userText: string): Record<string, unknown> {
  const value = valueFor(tool.function.parameters, userText, 0);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Schemas nest; a mock has no business following a recursive one forever. */
const MAX_SCHEMA_DEPTH = 16;

function valueFor(schema: unknown, userText: string, depth: number): unknown {
  if (typeof schema !== 'object' || schema === null || depth > MAX_SCHEMA_DEPTH) return null;
  const s = schema as Schema;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ('const' in s) return s.const;
  const alternatives = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (alternatives && alternatives.length > 0) return valueFor(alternatives[0], userText, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const properties = (typeof s.properties === 'object' && s.properties !== null ? s.properties : {}) as Record<string, unknown>;
      const required = Array.isArray(s.required) ? s.required.filter((name): name is string => typeof name === 'string') : [];
      return Object.fromEntries(required.map((name) => [name, valueFor(properties[name] ?? {}, userText, depth + 1)]));
    }
    case 'array':
      return s.items === undefined ? [] : [valueFor(s.items, userText, depth + 1)];
    case 'integer':
      return Math.round(numberFor(s, userText));
    case 'number':
      return numberFor(s, userText);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return lastWord(userText);
  }
}

function lastWord(text: string): string {
  const words = text.match(/[\p{L}\p{N}]+/gu);
  return words ? words[words.length - 1] : 'value';
}

function numberFor(schema: Schema, text: string): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const found = /-?\d+(?:\.\d+)?/.exec(text);
  let value = found ? Number(found[0]) : (min ?? 1);
  if (min !== undefined && value < min) value = min;
  if (max !== undefined && value > max) value = max;
  return value;
}
