import { pick } from '../../../bench/soak/random';

/**
 * Request bodies for the bad-input fuzz: a valid body per operation, every field of it (by
 * path), and what replaces a field: values of every other JSON type, deep nesting, huge strings,
 * unicode edge cases and seeded random values.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const messages: Json = [{ role: 'user', content: [{ text: 'hello' }] }];
const system: Json = [{ text: 'be brief' }];
const nativeBody = { prompt: 'hello', max_gen_len: 4, temperature: 0.5, top_p: 0.9 };

/** A valid body for each operation (by its path suffix); every field a client may send is present. */
export const VALID_BODIES: ReadonlyArray<{ readonly operation: string; readonly body: Json }> = [
  { operation: 'converse', body: { messages, system, inferenceConfig: { maxTokens: 4, temperature: 0.5, topP: 0.9, stopSequences: ['zzz'] } } },
  { operation: 'converse-stream', body: { messages, system, inferenceConfig: { maxTokens: 4, temperature: 0.5, topP: 0.9, stopSequences: ['zzz'] } } },
  { operation: 'invoke', body: nativeBody },
  { operation: 'invoke-with-response-stream', body: nativeBody },
  { operation: 'count-tokens', body: { input: { converse: { messages, system } } } },
  // CountTokens' other input: the native body, base64 in JSON.
  { operation: 'count-tokens', body: { input: { invokeModel: { body: Buffer.from(JSON.stringify(nativeBody)).toString('base64') } } } },
];

export type Path = ReadonlyArray<string | number>;

/** Every path in `value`, the root included, parents before children. */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object') for (const key of Object.keys(value)) paths.push(...pathsOf(value[key], [...prefix, key]));
  return paths;
}

export function valueAt(value: Json, path: Path): Json {
  return path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], value);
}

/** A copy of `value` with the field at `path` replaced. */
export function replaced(value: Json, path: Path, replacement: Json): Json {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, Json>;
  copy[path[0]] = replaced(copy[path[0]], path.slice(1), replacement);
  return copy as Json;
}

export function typeOf(value: Json): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** JSON text nested `depth` deep: arrays or objects. Built as text: a value that deep cannot be stringified. */
export function deepNesting(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** One value of each JSON type; a field gets those not of its own type. */
const ONE_OF_EACH_TYPE: Json[] = [null, true, 0, -1.5, 'x', '', [], [1, 'two'], {}, { unexpected: 1 }];

/** Strings a text field must take without failing the server (a valid value may still be refused with a 4xx). */
export const UNICODE_EDGES: string[] = [
  '\u0000',
  '\ud800', // a lone high surrogate
  '\udfff\ud800', // surrogates in the wrong order
  '\ufeff', // a byte-order mark
  '\u202e\u0646\u0635', // right-to-left override and Arabic
  'e\u0301\u0301\u0301', // combining accents
  '\u{1f469}\u200d\u{1f469}\u200d\u{1f467}', // a family emoji (zero-width joiners)
  '\uffff\ufffe',
  '\u2028\u2029', // JavaScript line and paragraph separators
  '\t\r\n\u000b\u000c',
  '%00%ff<script>"\'\\',
];

export interface Mutation {
  /** What was done, for the failure message. */
  readonly label: string;
  /** The body as sent (text: deep nesting has no JSON value we could stringify). */
  readonly text: string;
  /** Whether the field got a value of another type than the valid body's (null aside: it may mean "absent"). */
  readonly wrongType: boolean;
}

const HUGE = 'h'.repeat(1024 * 1024);

/**
 * The mutations of `body`: at every field, a value of every other type, deep nesting (arrays and
 * objects, 10,000 deep), and at every string field a huge string (1 MiB) and the unicode edge
 * cases; plus `randomExtras` seeded random values at random fields.
 */
export function mutationsOf(body: Json, random: () => number, randomExtras: number): Mutation[] {
  const mutations: Mutation[] = [];
  const at = (path: Path) => (path.length ? path.join('.') : '(body)');
  for (const path of pathsOf(body)) {
    const original = valueAt(body, path);
    for (const value of ONE_OF_EACH_TYPE) {
      if (typeOf(value) === typeOf(original)) continue;
      mutations.push({ label: `${at(path)} = ${JSON.stringify(value)}`, text: JSON.stringify(replaced(body, path, value)), wrongType: value !== null });
    }
    for (const kind of ['array', 'object'] as const) {
      const marker = '"__DEEP__"';
      const text = JSON.stringify(replaced(body, path, '__DEEP__')).replace(marker, deepNesting(10_000, kind));
      mutations.push({ label: `${at(path)} = ${kind}s nested 10,000 deep`, text, wrongType: typeOf(original) !== kind });
    }
    if (typeof original === 'string') {
      mutations.push({ label: `${at(path)} = a 1 MiB string`, text: JSON.stringify(replaced(body, path, HUGE)), wrongType: false });
      for (const edge of UNICODE_EDGES) {
        mutations.push({ label: `${at(path)} = ${JSON.stringify(edge)}`, text: JSON.stringify(replaced(body, path, edge)), wrongType: false });
      }
    }
  }
  const paths = pathsOf(body);
  for (let i = 0; i < randomExtras; i++) {
    const path = pick(random, paths);
    const value = randomJson(random, 3);
    mutations.push({ label: `${at(path)} = ${JSON.stringify(value).slice(0, 60)} (random)`, text: JSON.stringify(replaced(body, path, value)), wrongType: false });
  }
  return mutations;
}

/** A seeded random JSON value, at most `depth` deep. */
export function randomJson(random: () => number, depth: number): Json {
  const kind = Math.floor(random() * (depth > 0 ? 7 : 5));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, [0, -0, 1, -1, 0.5, 2 ** 53 + 1, 1e308, -1e308, 5e-324, 8193, 131072]);
    case 3:
      return randomString(random);
    case 4:
      return pick(random, UNICODE_EDGES);
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
    default: {
      const value: Record<string, Json> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--) value[pick(random, ['role', 'text', 'content', 'maxTokens', 'x', ''])] = randomJson(random, depth - 1);
      return value;
    }
  }
}

function randomString(random: () => number): string {
  const length = Math.floor(random() * 40);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(Math.floor(random() * 0xffff));
  return text;
}
