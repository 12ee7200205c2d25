import type { ToolChoice, ToolDefinition } from '../openai/worker-protocol';
import { checkCachePoint, toolIdentifier } from './converse-content';
import { validationError } from './errors';
import { excerpt, isObject, requireObject, requireString } from './validation';

/**
 * Converse's `toolConfig` in the tools protocol the workers serve (vLLM, Cerebras):
 * `tools[].toolSpec` {name, description, inputSchema.json} become function tools with that JSON
 * schema as `parameters` (as sent: `$schema` and `additionalProperties` included); `cachePoint`
 * entries are dropped; `toolChoice` `auto` / `any` / `tool{name}` become `auto` / `required` /
 * the named function (absent: `auto`, what Bedrock does).
 */
export interface ConverseTools {
  readonly tools: ToolDefinition[];
  readonly tool_choice: ToolChoice;
}

function toolSpec(value: unknown, field: string): ToolDefinition {
  const spec = requireObject(value, field);
  const name = toolIdentifier(spec.name, `${field}.name`);
  const description = spec.description === undefined ? undefined : requireString(spec.description, `${field}.description`);
  const inputSchema = requireObject(spec.inputSchema, `${field}.inputSchema`);
  if (!isObject(inputSchema.json)) throw validationError(`${field}.inputSchema.json must be a JSON schema object; got ${excerpt(inputSchema.json)}.`);
  return { type: 'function', function: { name, ...(description ? { description } : {}), parameters: inputSchema.json } };
}

function toolChoice(value: unknown, names: ReadonlySet<string>): ToolChoice {
  if (value === undefined || value === null) return 'auto';
  const choice = requireObject(value, 'toolConfig.toolChoice');
  const kinds = Object.keys(choice);
  if (kinds.length !== 1) throw validationError('toolConfig.toolChoice must hold exactly one of auto, any or tool.');
  if (choice.auto !== undefined) return 'auto';
  if (choice.any !== undefined) return 'required';
  if (choice.tool !== undefined) {
    const name = toolIdentifier(requireObject(choice.tool, 'toolConfig.toolChoice.tool').name, 'toolConfig.toolChoice.tool.name');
    if (!names.has(name)) throw validationError(`toolConfig.toolChoice.tool.name names ${excerpt(name)}, which is not one of toolConfig.tools.`);
    return { type: 'function', function: { name } };
  }
  throw validationError(`toolConfig.toolChoice must hold auto, any or tool; got ${excerpt(kinds[0])}.`);
}

export function parseToolConfig(value: unknown): ConverseTools {
  const config = requireObject(value, 'toolConfig');
  if (!Array.isArray(config.tools)) throw validationError(`toolConfig.tools must be a list of tools; got ${excerpt(config.tools)}.`);
  const tools: ToolDefinition[] = [];
  const names = new Set<string>();
  config.tools.forEach((tool, index) => {
    const field = `toolConfig.tools[${index}]`;
    if (!isObject(tool)) throw validationError(`${field} must be a tool object; got ${excerpt(tool)}.`);
    if (tool.cachePoint !== undefined) return checkCachePoint(tool.cachePoint, `${field}.cachePoint`);
    if (tool.toolSpec === undefined) {
      throw validationError(`${field} is a ${Object.keys(tool)[0] ?? 'empty'} entry; this endpoint takes toolSpec (and cachePoint) entries only.`);
    }
    const definition = toolSpec(tool.toolSpec, `${field}.toolSpec`);
    if (names.has(definition.function.name)) throw validationError(`${field}.toolSpec.name ${excerpt(definition.function.name)} is used by another tool.`);
    names.add(definition.function.name);
    tools.push(definition);
  });
  if (tools.length === 0) throw validationError('toolConfig.tools must hold at least one toolSpec.');
  return { tools, tool_choice: toolChoice(config.toolChoice, names) };
}
