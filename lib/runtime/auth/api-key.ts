import { createHash, randomBytes, timingSafeEqual } from 'crypto';

/**
 * Bearer API keys, the way the Bedrock SDKs send them (`Authorization: Bearer <key>`, the key taken
 * from `AWS_BEARER_TOKEN_BEDROCK`): their format, their hash, and the record a key table holds.
 * The table never holds a key, only its SHA-256: a key is 256 random bits, so an unsalted fast hash
 * cannot be brute-forced and a slow password hash would only add latency to every cache miss.
 * CDK-free: the authorizer function, the `api-key` CLI and the construct (its header pattern) share it.
 */

/** Keys start with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'dik_';

/** The path segment bearer-key callers put before the Bedrock paths: `<api url>/key/model/{modelId}/converse`. */
export const API_KEY_PATH_PREFIX = 'key';

const KEY_ID_HEX_CHARS = 16;
const SECRET_BYTES = 32;
/** `dik_<16 hex: the key id>.<43 base64url: 32 random bytes>`, the key id captured. */
const KEY_SYNTAX = `${API_KEY_PREFIX}([0-9a-f]{${KEY_ID_HEX_CHARS}})\\.[A-Za-z0-9_-]{${Math.ceil((SECRET_BYTES * 4) / 3)}}`;
const KEY_PATTERN = new RegExp(`^${KEY_SYNTAX}$`);

/**
 * The `Authorization` header API Gateway lets through to the authorizer (its TOKEN authorizer's
 * validation expression); anything else is a 401 without a Lambda invocation.
 */
export const API_KEY_HEADER_PATTERN = `^Bearer ${KEY_SYNTAX}$`;

/** What a key table holds per key (partition key `keyId`). */
export interface ApiKeyRecord {
  /** The key's public id, part of the key itself; what `revoke` and the logs name. */
  readonly keyId: string;
  /** SHA-256 of the whole key, hex. */
  readonly secretHash: string;
  /** A label for people (who or what the key is for). */
  readonly name: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601, once revoked; a revoked key is refused. */
  readonly revokedAt?: string;
}

/** A new key and the record to store for it. The key is shown once; only the record is kept. */
export function generateApiKey(name: string, now: Date = new Date()): { key: string; record: ApiKeyRecord } {
  const keyId = randomBytes(KEY_ID_HEX_CHARS / 2).toString('hex');
  const key = `${API_KEY_PREFIX}${keyId}.${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { key, record: { keyId, secretHash: hashApiKey(key), name, createdAt: now.toISOString() } };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The key id a well-formed key carries, or undefined for anything else. */
export function apiKeyId(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/** The key of an `Authorization: Bearer <key>` header value, or undefined when it is not one. */
export function bearerKey(header: string | undefined): string | undefined {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  return match?.[1];
}

/** Why a key was refused, for the authorizer's log (never the key itself). */
export type ApiKeyRefusal = 'malformed' | 'unknown' | 'mismatch' | 'revoked';

export type ApiKeyCheck = { readonly valid: true; readonly record: ApiKeyRecord } | { readonly valid: false; readonly reason: ApiKeyRefusal; readonly keyId?: string };

/** Checks a presented key against the table (`lookUp` reads one record by key id). */
export async function checkApiKey(key: string, lookUp: (keyId: string) => Promise<ApiKeyRecord | undefined>): Promise<ApiKeyCheck> {
  const keyId = apiKeyId(key);
  if (!keyId) return { valid: false, reason: 'malformed' };
  const record = await lookUp(keyId);
  if (!record) return { valid: false, reason: 'unknown', keyId };
  const presented = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(record.secretHash, 'hex');
  if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) return { valid: false, reason: 'mismatch', keyId };
  if (record.revokedAt) return { valid: false, reason: 'revoked', keyId };
  return { valid: true, record };
}

/**
 * A DynamoDB item in its JSON wire format (the low-level API's, and the SDK's `AttributeValue`
 * map), as far as a key record goes: string attributes.
 */
export type DynamoItem = Record<string, { readonly S?: string }>;

/** The record as a DynamoDB item. */
export function toItem(record: ApiKeyRecord): Record<string, { S: string }> {
  const item: Record<string, { S: string }> = {};
  for (const [name, value] of Object.entries(record)) if (value !== undefined) item[name] = { S: value };
  return item;
}

/** A DynamoDB item as a record; an item missing a required attribute is an error naming it. */
export function fromItem(item: DynamoItem): ApiKeyRecord {
  const text = (name: keyof ApiKeyRecord, required: boolean) => {
    const value = item[name]?.S;
    if (required && value === undefined) throw new Error(`API key item ${item.keyId?.S ?? '?'} has no string attribute ${name}.`);
    return value;
  };
  return {
    keyId: text('keyId', true)!,
    secretHash: text('secretHash', true)!,
    name: text('name', false) ?? '',
    createdAt: text('createdAt', false) ?? '',
    ...(text('revokedAt', false) ? { revokedAt: text('revokedAt', false) } : {}),
  };
}
