import { validationError } from '../bedrock/errors';
import { excerpt, keyList, optionalEnum, optionalIntegerInRange, optionalNumberInRange } from '../bedrock/validation';
import type { ExtraSampling } from './worker-protocol';

/**
 * The sampling fields beyond temperature, top_p and stop that the workers take, checked once for
 * both paths that carry them: Converse's `additionalModelRequestFields` and the OpenAI-compatible
 * chat request. Ranges are vLLM's (`SamplingParams`), so a bad value is refused here, with the
 * field named, instead of by the worker. An endpoint that takes fewer of them (an OpenAI-style
 * API) answers a field it refuses with a 400 of its own, which the client gets as a ValidationException.
 */
const FIELDS = {
  top_k: (value: unknown, field: string) => optionalIntegerInRange(value, field, -1, 1_000_000),
  min_p: (value: unknown, field: string) => optionalNumberInRange(value, field, 0, 1),
  seed: (value: unknown, field: string) => optionalIntegerInRange(value, field, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  presence_penalty: (value: unknown, field: string) => optionalNumberInRange(value, field, -2, 2),
  frequency_penalty: (value: unknown, field: string) => optionalNumberInRange(value, field, -2, 2),
  repetition_penalty: (value: unknown, field: string) => optionalNumberInRange(value, field, 0.01, 10),
  reasoning_effort: (value: unknown, field: string) => optionalEnum(value, field, ['low', 'medium', 'high'] as const),
} as const;

export const EXTRA_SAMPLING_FIELDS: ReadonlySet<string> = new Set(Object.keys(FIELDS));

/** The extra sampling fields present in `source`, checked; `prefix` names where they sit (e.g. `additionalModelRequestFields.`). */
export function parseExtraSampling(source: Record<string, unknown>, prefix: string): ExtraSampling | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const [name, check] of Object.entries(FIELDS)) {
    const value = check(source[name], `${prefix}${name}`);
    if (value !== undefined) (extra ??= {})[name] = value;
  }
  return extra as ExtraSampling | undefined;
}

/** Converse's `additionalModelRequestFields`: the extra sampling fields and nothing else (an unknown key is refused by name). */
export function parseAdditionalModelRequestFields(value: unknown): ExtraSampling | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw validationError(`additionalModelRequestFields must be a JSON object; got ${excerpt(value)}.`);
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !EXTRA_SAMPLING_FIELDS.has(key));
  if (unknown.length > 0) {
    throw validationError(
      `additionalModelRequestFields has ${keyList(unknown)}, which this endpoint's workers do not take; ` +
        `it takes ${[...EXTRA_SAMPLING_FIELDS].join(', ')}.`,
    );
  }
  return parseExtraSampling(fields, 'additionalModelRequestFields.');
}
