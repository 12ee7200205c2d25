import { chainedBlockHashes } from '../runtime/routing/block-hash';

/** vLLM's KV block size in tokens (`CacheConfig.DEFAULT_BLOCK_SIZE = 16`, vllm/config/cache.py). */
export const KV_BLOCK_TOKENS = 16;

/** The names of a prompt's full KV blocks, each chained from its parent (vLLM's automatic prefix caching). */
export function promptBlockHashes(tokenIds: readonly number[]): number[] {
  return chainedBlockHashes(tokenIds, KV_BLOCK_TOKENS);
}

/**
 * Tokens of a prompt a cache hit may cover: whole blocks, and never the last token, which is
 * computed again for its logits ("When all tokens hit the cache, we must recompute the last token",
 * vLLM's KVCacheManager.get_computed_blocks).
 */
export function cacheableBlocks(promptTokens: number): number {
  return Math.max(0, Math.floor((promptTokens - 1) / KV_BLOCK_TOKENS));
}

/** A request's claim on its blocks: they cannot be evicted until it is released. */
export interface BlockHold {
  /** Gives the blocks back to the cache (idempotent): they stay cached, evictable, most recently used. */
  release(): void;
}

/** Blocks of a prompt the request asks the cache to keep (a Bedrock cachePoint), and until when. */
export interface KeepHint {
  /** The first `blocks` of the prompt. */
  readonly blocks: number;
  /** Epoch milliseconds. */
  readonly until: number;
}

interface Block {
  refs: number;
  keepUntil: number;
}

export interface PrefixCacheStats {
  /** Blocks cached now, held or not. */
  readonly blocks: number;
  readonly capacityBlocks: number;
  /** Blocks evicted so far. */
  readonly evictions: number;
}

/** How far past the least recently used block eviction looks for one whose keep has run out. */
const KEEP_SCAN = 64;

/**
 * A worker's KV blocks, by name, as vLLM's prefix cache keeps them: blocks a running request uses
 * are held (never evicted); released blocks stay cached, least recently used first in line for
 * eviction, and a request's blocks are released tail first, so the end of a prefix goes before its
 * beginning (vllm/v1/core/kv_cache_utils.py FreeKVCacheBlockQueue; docs/design/prefix_caching.md,
 * "Eviction (LRU)"). A block a request asked to keep (a cachePoint) is evicted only when no other
 * released block is left, or once its keep has run out. At capacity with every block held, new
 * blocks go uncached (the mock's stand-in for vLLM's preemption).
 */
export class PrefixCache {
  private readonly blocks = new Map<number, Block>();
  /** Released blocks nobody asked to keep, least recently used first (a Map keeps insertion order). */
  private readonly free = new Map<number, Block>();
  /** Released blocks a request asked to keep. */
  private readonly kept = new Map<number, Block>();
  private evictions = 0;

  constructor(
    public readonly capacityBlocks: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(capacityBlocks >= 0)) throw new Error(`A prefix cache needs a capacity of at least 0 blocks; got ${capacityBlocks}.`);
  }

  /** How many of `hashes`, from the first, are cached (the longest cached prefix, in blocks). */
  public cachedBlocks(hashes: readonly number[], limit = hashes.length): number {
    let n = 0;
    while (n < limit && this.blocks.has(hashes[n])) n++;
    return n;
  }

  /**
   * Holds `hashes` for a request: the cached ones are taken off the eviction line, the others are
   * added, evicting released blocks to make room.
   */
  public hold(hashes: readonly number[], keep?: KeepHint): BlockHold {
    const held: Block[] = [];
    const keptUntil = (index: number) => (keep && index < keep.blocks ? keep.until : 0);
    for (let i = 0; i < hashes.length; i++) {
      const hash = hashes[i];
      let block = this.blocks.get(hash);
      if (!block) {
        if (this.blocks.size >= this.capacityBlocks && !this.evictOne()) break;
        block = { refs: 0, keepUntil: 0 };
        this.blocks.set(hash, block);
      }
      if (block.refs++ === 0) {
        this.free.delete(hash);
        this.kept.delete(hash);
      }
      block.keepUntil = Math.max(block.keepUntil, keptUntil(i));
      held.push(block);
    }
    const names = hashes.slice(0, held.length);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (let i = held.length - 1; i >= 0; i--) {
          const block = held[i];
          if (--block.refs > 0 || this.blocks.get(names[i]) !== block) continue;
          (block.keepUntil > this.now() ? this.kept : this.free).set(names[i], block);
        }
      },
    };
  }

  public stats(): PrefixCacheStats {
    return { blocks: this.blocks.size, capacityBlocks: this.capacityBlocks, evictions: this.evictions };
  }

  /** Evicts one released block: the least recently used unkept one, else a kept one whose keep ran out, else the oldest kept. */
  private evictOne(): boolean {
    let victim: number | undefined = this.free.keys().next().value;
    let from = this.free;
    if (victim === undefined) {
      from = this.kept;
      const now = this.now();
      let scanned = 0;
      for (const [hash, block] of this.kept) {
        victim ??= hash;
        if (block.keepUntil <= now) {
          victim = hash;
          break;
        }
        if (++scanned >= KEEP_SCAN) break;
      }
    }
    if (victim === undefined) return false;
    from.delete(victim);
    this.blocks.delete(victim);
    this.evictions++;
    return true;
  }
}
