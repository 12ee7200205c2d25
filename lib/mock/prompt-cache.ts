import type { CompletionRequest } from '../runtime/openai/worker-protocol';
import { BlockHold, cacheableBlocks, KeepHint, KV_BLOCK_TOKENS, PrefixCache, PrefixCacheStats, promptBlockHashes } from './prefix-cache';
import { chatPrefixTokenCount } from './tokenizer';

/** What a worker's prefix cache holds of one prompt. */
export interface PromptLookup {
  /** The prompt's full blocks, by name. */
  readonly hashes: readonly number[];
  /** Prompt tokens the cache serves (whole blocks, never the last token). */
  readonly cachedTokens: number;
  /** Of the prefix the request's hint asks to keep, the tokens this request writes to the cache. */
  readonly cacheWriteTokens: number;
  /** Holds the prompt's blocks (adding those not cached) until released. */
  hold(): BlockHold;
}

/** What a worker's prompts found in its cache, summed. */
export interface PromptCacheStats {
  readonly prompts: number;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly cache: PrefixCacheStats;
}

/**
 * A mock worker's prefix cache at the level of prompts: a prompt's blocks, the longest cached prefix
 * of them, and the `prefix_cache_hint` a request carries (a Bedrock cachePoint): the blocks of that
 * prefix are held as kept for the hint's time to live, and the tokens of it this request computed are
 * its cache write.
 */
export class PromptCache {
  private readonly cache: PrefixCache;
  private prompts = 0;
  private promptTokens = 0;
  private cachedTokens = 0;

  constructor(
    capacityTokens: number,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new PrefixCache(Math.floor(capacityTokens / KV_BLOCK_TOKENS), now);
  }

  public lookUp(request: CompletionRequest, tokens: readonly number[]): PromptLookup {
    const hashes = promptBlockHashes(tokens);
    const cachedBlocks = this.cache.cachedBlocks(hashes, cacheableBlocks(tokens.length));
    const keep = this.keepHint(request, tokens.length);
    const cachedTokens = cachedBlocks * KV_BLOCK_TOKENS;
    this.prompts++;
    this.promptTokens += tokens.length;
    this.cachedTokens += cachedTokens;
    return {
      hashes,
      cachedTokens,
      cacheWriteTokens: keep ? Math.max(0, keep.blocks - cachedBlocks) * KV_BLOCK_TOKENS : 0,
      hold: () => this.cache.hold(hashes, keep),
    };
  }

  public stats(): PromptCacheStats {
    return { prompts: this.prompts, promptTokens: this.promptTokens, cachedTokens: this.cachedTokens, cache: this.cache.stats() };
  }

  /** The blocks a chat's hint asks to keep: the full blocks of the prefix through its message. */
  private keepHint(request: CompletionRequest, promptTokens: number): KeepHint | undefined {
    const hint = request.prefix_cache_hint;
    if (!hint || !Array.isArray(request.messages) || !(Number.isInteger(hint.messages) && hint.messages >= 0) || !(hint.ttl_seconds > 0)) return undefined;
    const prefix = chatPrefixTokenCount(request.messages, request.tools, hint.messages);
    const blocks = Math.min(Math.floor(prefix / KV_BLOCK_TOKENS), Math.floor(promptTokens / KV_BLOCK_TOKENS));
    return { blocks, until: this.now() + hint.ttl_seconds * 1000 };
  }
}
