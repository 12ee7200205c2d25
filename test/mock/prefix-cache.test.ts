import { getModelSpec } from '../../lib/hardware';
import { VLLM_MEMORY_UTILISATION, weightBytes } from '../../lib/planning';
import { DecodeTier, kvCapacity } from '../../lib/planning/serving-config';
import { buildKvBlob, kvBlobMismatch } from '../../lib/mock/kv-blob';
import { cacheableBlocks, KV_BLOCK_TOKENS, PrefixCache, promptBlockHashes } from '../../lib/mock/prefix-cache';

const tokens = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

test("a prompt's blocks are vLLM's: 16 tokens each, named by a hash chained from the parent; a hit never covers the last token", () => {
  expect(KV_BLOCK_TOKENS).toBe(16);
  const a = promptBlockHashes(tokens(40));
  expect(a).toHaveLength(2);
  expect(promptBlockHashes(tokens(32))).toEqual(a);
  // Same second block, different first: a different name, as the name stands for the whole prefix.
  expect(promptBlockHashes([99, ...tokens(31, 1)])[1]).not.toBe(a[1]);
  expect(cacheableBlocks(32)).toBe(1);
  expect(cacheableBlocks(33)).toBe(2);
});

test('held blocks stay; released ones are evicted least recently used first, a prefix\'s tail before its head', () => {
  const cache = new PrefixCache(4);
  const first = promptBlockHashes(tokens(48)); // 3 blocks
  const held = cache.hold(first);
  expect(cache.cachedBlocks(first)).toBe(3);
  // At capacity with the first prompt held, a new prompt's blocks go uncached past the room left.
  const other = promptBlockHashes(tokens(48, 1000));
  cache.hold(other).release();
  expect(cache.cachedBlocks(other)).toBe(1);
  held.release();
  // Released tail first: after the other prompt's block, the first prompt's last block goes, then its middle one.
  const third = promptBlockHashes(tokens(32, 5000));
  cache.hold(third).release();
  expect(cache.cachedBlocks(other)).toBe(0);
  expect(cache.cachedBlocks(first)).toBe(2);
  expect(cache.cachedBlocks(third)).toBe(2);
  expect(cache.stats()).toMatchObject({ blocks: 4, capacityBlocks: 4 });
  expect(cache.stats().evictions).toBeGreaterThan(0);
});

test('blocks a request asked to keep (a cachePoint) go after every other released block, until their keep runs out', () => {
  const scenario = (now: number) => {
    const cache = new PrefixCache(3, () => now);
    const kept = promptBlockHashes(tokens(32)); // 2 blocks, released first: the least recently used
    cache.hold(kept, { blocks: 2, until: 1000 }).release();
    const plain = promptBlockHashes(tokens(16, 100));
    cache.hold(plain).release();
    cache.hold(promptBlockHashes(tokens(16, 200))).release(); // needs one block of room
    return { kept: cache.cachedBlocks(kept), plain: cache.cachedBlocks(plain) };
  };
  // Within the keep, the plain block goes although it is more recent.
  expect(scenario(0)).toEqual({ kept: 2, plain: 0 });
  // Past it, the kept blocks are plain LRU blocks: the older one goes (the tail first).
  expect(scenario(2000)).toEqual({ kept: 1, plain: 1 });
});

test("a KV blob of a prompt's tail (the blocks the decode worker lacks) fits only from the token it starts at", () => {
  const ids = tokens(40);
  const tail = buildKvBlob(ids, 1024, 32);
  expect(kvBlobMismatch(tail, ids, 32)).toBeUndefined();
  expect(kvBlobMismatch(tail, ids, 16)).toBe('KV blocks start at token 32, the decode worker lacks them from token 16');
  expect(buildKvBlob(ids, 1024, 32).length).toBeLessThan(buildKvBlob(ids, 1024).length);
});

test("a worker's cache holds what the catalog leaves of its device memory after the weights, at the model's KV bytes per token", () => {
  const model = getModelSpec('llama-3.3-70b-instruct');
  const capacity = kvCapacity({ model, prefill: { instanceType: 'trn2.48xlarge' }, decode: DecodeTier.trainium('trn2.48xlarge') });
  // trn2.48xlarge: 16 x 96 GiB, vLLM's 90% of it, less 70.6B parameters in BF16, at 320 KiB a token: about 4.1 M tokens.
  const expected = Math.floor((16 * 96 * 2 ** 30 * VLLM_MEMORY_UTILISATION - weightBytes(model)) / model.kvBytesPerToken);
  expect(capacity.prefillTokens).toBe(expected);
  expect(capacity.decodeTokens).toBe(expected);
  expect(capacity.prefillTokens).toBeGreaterThan(3_500_000);
  expect(capacity.prefillTokens).toBeLessThan(4_500_000);
});
