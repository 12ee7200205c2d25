import { promptDigest } from './tokenizer';

/**
 * The mock KV cache of one prompt: a header that ties it to the prompt (magic, token count,
 * SHA-256 of the token ids) and filler whose length follows the model's KV bytes per token,
 * divided by KV_SCALE_DOWN so a localhost transfer stays small.
 */
export const KV_SCALE_DOWN = 1024;

const MAGIC = Buffer.from('MKV1');
const HEADER_BYTES = MAGIC.length + 4 + 32;

/** The blob's size: real KV bytes (tokens x bytes per token) scaled down, never smaller than its header. */
export function kvBlobBytes(promptTokens: number, kvBytesPerToken: number): number {
  return HEADER_BYTES + Math.ceil((promptTokens * kvBytesPerToken) / KV_SCALE_DOWN);
}

export function buildKvBlob(tokenIds: readonly number[], kvBytesPerToken: number): Buffer {
  const blob = Buffer.alloc(kvBlobBytes(tokenIds.length, kvBytesPerToken), 0x5a);
  MAGIC.copy(blob, 0);
  blob.writeUInt32BE(tokenIds.length, MAGIC.length);
  promptDigest(tokenIds).copy(blob, MAGIC.length + 4);
  return blob;
}

/** Why a blob does not fit a prompt, or undefined when it does. */
export function kvBlobMismatch(blob: Uint8Array, tokenIds: readonly number[]): string | undefined {
  const buffer = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buffer.length < HEADER_BYTES || !buffer.subarray(0, MAGIC.length).equals(MAGIC)) return 'not a KV blob';
  const tokens = buffer.readUInt32BE(MAGIC.length);
  if (tokens !== tokenIds.length) return `KV blocks hold ${tokens} tokens, the prompt has ${tokenIds.length}`;
  if (!buffer.subarray(MAGIC.length + 4, HEADER_BYTES).equals(promptDigest(tokenIds))) return 'KV blocks belong to a different prompt';
  return undefined;
}
