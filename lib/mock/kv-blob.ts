import { promptDigest } from './tokenizer';

/**
 * The mock KV cache of a prompt, or of its tail from one token on (a decode worker pulls only the
 * blocks it lacks): a header that ties it to the prompt (magic, the first token it covers, the
 * prompt's token count, SHA-256 of the prompt's token ids) and filler whose length follows the
 * model's KV bytes per token for the tokens it covers, divided by KV_SCALE_DOWN so a localhost
 * transfer stays small.
 */
export const KV_SCALE_DOWN = 1024;

const MAGIC = Buffer.from('MKV2');
const FROM_AT = MAGIC.length;
const TOKENS_AT = FROM_AT + 4;
const DIGEST_AT = TOKENS_AT + 4;
const HEADER_BYTES = DIGEST_AT + 32;

/** The blob's size: real KV bytes (tokens x bytes per token) scaled down, never smaller than its header. */
export function kvBlobBytes(tokens: number, kvBytesPerToken: number): number {
  return HEADER_BYTES + Math.ceil((tokens * kvBytesPerToken) / KV_SCALE_DOWN);
}

/** The KV of `tokenIds[fromToken..]`. */
export function buildKvBlob(tokenIds: readonly number[], kvBytesPerToken: number, fromToken = 0): Buffer {
  const blob = Buffer.alloc(kvBlobBytes(tokenIds.length - fromToken, kvBytesPerToken), 0x5a);
  MAGIC.copy(blob, 0);
  blob.writeUInt32BE(fromToken, FROM_AT);
  blob.writeUInt32BE(tokenIds.length, TOKENS_AT);
  promptDigest(tokenIds).copy(blob, DIGEST_AT);
  return blob;
}

/** Why a blob does not fit a prompt (its tail from `fromToken`), or undefined when it does. */
export function kvBlobMismatch(blob: Uint8Array, tokenIds: readonly number[], fromToken = 0): string | undefined {
  const buffer = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buffer.length < HEADER_BYTES || !buffer.subarray(0, MAGIC.length).equals(MAGIC)) return 'not a KV blob';
  const tokens = buffer.readUInt32BE(TOKENS_AT);
  if (tokens !== tokenIds.length) return `KV blocks hold ${tokens} tokens, the prompt has ${tokenIds.length}`;
  const from = buffer.readUInt32BE(FROM_AT);
  if (from !== fromToken) return `KV blocks start at token ${from}, the decode worker lacks them from token ${fromToken}`;
  if (!buffer.subarray(DIGEST_AT, HEADER_BYTES).equals(promptDigest(tokenIds))) return 'KV blocks belong to a different prompt';
  return undefined;
}

/** Tokens of KV a blob carries (its length less the header, scaled back up). */
export function kvBlobTokens(blobBytes: number, kvBytesPerToken: number): number {
  return Math.round(((blobBytes - HEADER_BYTES) * KV_SCALE_DOWN) / kvBytesPerToken);
}
