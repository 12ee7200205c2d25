import { validationError } from './errors';

/** Small checks shared by the operation parsers; every message names the field and the rule. */

export function parseJsonBody(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw validationError('The request body is not valid JSON.');
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) throw validationError(`${field} must be a JSON object.`);
  return value;
}

export function optionalNumberInRange(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw validationError(`${field} must be a number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** A token limit: an integer from 1 to the model's maximum output tokens. */
export function tokenLimit(value: unknown, field: string, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw validationError(`${field} must be an integer from 1 to ${max} (this model's output limit); got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function optionalStringList(value: unknown, field: string, maxItems: number): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > maxItems || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw validationError(`${field} must be a list of at most ${maxItems} non-empty strings.`);
  }
  return value as string[];
}
