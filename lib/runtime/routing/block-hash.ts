/**
 * The chained block hash both sides of the prefix cache name blocks with: the mock workers over a
 * prompt's token ids (vLLM's scheme, `hash_block_tokens(parent_block_hash, block_token_ids)` in
 * vllm/v1/core/kv_cache_utils.py, where the first block's parent is a fixed root), the router over
 * the characters of a request (it has no tokenizer; llm-d's approximate prefix scorer does the same).
 * Chaining makes a block's name stand for the whole prefix up to its end: equal names, equal prefixes.
 *
 * A 53-bit non-cryptographic hash (two 32-bit multiply-xorshift lanes, as bryc's public-domain
 * cyrb53), so it is exact in a JavaScript number, fast over a 100k-token prompt, and the same in
 * every process: no random root, which is what lets every router instance agree (vLLM seeds its root
 * from PYTHONHASHSEED for the same reason). A collision only misjudges one routing decision; the
 * workers check what they pull against the prompt itself.
 */

/** The parent of a chain's first block. */
export const ROOT_BLOCK_HASH = 0;

const TWO_32 = 4294967296;

/** The hash of `values[start..end)` chained from `parent` (a block's name, or ROOT_BLOCK_HASH). */
export function chainHash(parent: number, values: ArrayLike<number>, start = 0, end = values.length): number {
  let h1 = 0xdeadbeef ^ (parent >>> 0);
  let h2 = 0x41c6ce57 ^ Math.floor(parent / TWO_32);
  for (let i = start; i < end; i++) {
    const v = values[i];
    h1 = Math.imul(h1 ^ v, 2654435761);
    h2 = Math.imul(h2 ^ v, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return TWO_32 * (2097151 & h2) + (h1 >>> 0);
}

/** The names of every full block of `values` (a partial last block has none: only full blocks are cached). */
export function chainedBlockHashes(values: ArrayLike<number>, blockSize: number, parent = ROOT_BLOCK_HASH): number[] {
  const hashes: number[] = [];
  let previous = parent;
  for (let start = 0; start + blockSize <= values.length; start += blockSize) {
    previous = chainHash(previous, values, start, start + blockSize);
    hashes.push(previous);
  }
  return hashes;
}
