import { validationError } from './errors';

/** Small checks shared by the request parsers; every message names the field and the rule. */

/**
 * Deepest nesting of objects and lists a request body may have. `JSON.parse` takes any depth, but
 * `JSON.stringify` (building a worker request, or an error message) overflows the stack a few
 * thousand levels down, so anything deeper is refused at the door. 128 leaves room for deep tool
 * schemas (two levels per nested property) under the body's own seven levels.
 */
export const MAX_JSON_DEPTH = 128;

export function parseJsonBody(body: Uint8Array): unknown {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw validationError('The request body is not valid JSON.');
  }
  const tooDeep = nestedTooDeep(value, MAX_JSON_DEPTH);
  if (tooDeep !== undefined) {
    throw validationError(`The request body nests JSON more than ${MAX_JSON_DEPTH} levels deep (at ${tooDeep}); flatten the value.`);
  }
  return value;
}

/**
 * The path of the first value nested deeper than `limit` objects and lists, or undefined. An
 * explicit stack, not recursion: the value may be nested a million levels down. Only objects and
 * lists are visited, so a long prompt string costs nothing; the path is only worked out for a
 * body that fails (this runs on every request).
 */
export function nestedTooDeep(value: unknown, limit: number): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) {
      const path = pathTo(value, node);
      return path.length > MAX_PATH_CHARS ? `${path.slice(0, MAX_PATH_CHARS)}…` : path;
    }
    if (Array.isArray(node)) {
      // An index loop: `for...in` over a list walks string keys, several times slower.
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

/** Where `target` sits in `root` (found again, breadth-first, with the path of each node on the way). */
function pathTo(root: object, target: object): string {
  const queue: Array<{ node: object; path: string }> = [{ node: root, path: '' }];
  for (let i = 0; i < queue.length; i++) {
    const { node, path } = queue[i];
    if (node === target) return path || 'the top level';
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child !== 'object' || child === null) continue;
      queue.push({ node: child, path: Array.isArray(node) ? `${path}[${key}]` : path ? `${path}.${shortKey(key)}` : shortKey(key) });
    }
  }
  return 'the top level';
}

const EXCERPT_CHARS = 40;
/** A path in a message is cut here (one 128 levels deep is long). */
const MAX_PATH_CHARS = 80;

function shortKey(key: string): string {
  return key.length > EXCERPT_CHARS ? `${key.slice(0, EXCERPT_CHARS)}…` : key;
}

/**
 * A bad value as an error message shows it: short and bounded whatever the value (a 3 MB string, a
 * list nested thousands deep), never serialised whole. Numbers JSON cannot carry are named:
 * `1e309` parses to Infinity.
 */
export function excerpt(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > EXCERPT_CHARS
        ? `${JSON.stringify(value.slice(0, EXCERPT_CHARS))}… (${value.length} characters)`
        : JSON.stringify(value);
    case 'number':
      if (Number.isFinite(value)) return String(value);
      return Number.isNaN(value) ? 'NaN' : `${value > 0 ? '' : '-'}Infinity (a number beyond the range of a double)`;
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'nothing';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
      return 'an object';
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) throw validationError(`${field} must be a JSON object; got ${excerpt(value)}.`);
  return value;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw validationError(`${field} must be a string; got ${excerpt(value)}.`);
  return value;
}

export function optionalNumberInRange(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw validationError(`${field} must be a number from ${min} to ${max}; got ${excerpt(value)}.`);
  }
  return value;
}

export function optionalIntegerInRange(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(`${field} must be an integer from ${min} to ${max}; got ${excerpt(value)}.`);
  }
  return value;
}

/** A token limit: an integer from 1 to the model's maximum output tokens. */
export function tokenLimit(value: unknown, field: string, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw validationError(`${field} must be an integer from 1 to ${max} (this model's output limit); got ${excerpt(value)}.`);
  }
  return value;
}

/** Stop sequences in one request past which the gateway refuses, whatever the endpoint allows: a sanity bound. */
export const MAX_STOP_SEQUENCES = 256;

/**
 * Stop sequences: non-empty strings, at most `limit` of them (the decode endpoint's declared limit,
 * else the gateway's sanity bound). `limitOwner` says whose limit it is.
 */
export function stopSequences(value: unknown, field: string, limit: number | undefined, limitOwner: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw validationError(`${field} must be a list of non-empty strings; got ${excerpt(value)}.`);
  }
  const max = Math.min(limit ?? MAX_STOP_SEQUENCES, MAX_STOP_SEQUENCES);
  if (value.length > max) {
    const whose = limit !== undefined && limit <= MAX_STOP_SEQUENCES ? limitOwner : 'this gateway';
    throw validationError(`${field} has ${value.length} sequences; ${whose} takes at most ${max}.`);
  }
  return value as string[];
}

/** A value that must be one of a few strings. */
export function optionalEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw validationError(`${field} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got ${excerpt(value)}.`);
  }
  return value as T;
}

/** Names a list of keys in a message, bounded. */
export function keyList(keys: readonly string[]): string {
  const shown = keys.slice(0, 5).map((key) => JSON.stringify(shortKey(key)));
  return keys.length > 5 ? `${shown.join(', ')} and ${keys.length - 5} more` : shown.join(', ');
}
