import { PrefixIndex } from './prefix-index';
import { ROUTER_BLOCK_CHARS, type PromptPrefix } from './prompt-prefix';

/** Characters per token before any worker has answered: llm-d's `averageCharactersPerToken`. */
const INITIAL_CHARS_PER_TOKEN = 4;
/** How much each answer moves the estimate (an exponential moving average). */
const LEARNING_RATE = 0.2;

/**
 * The router's knowledge of one model's workers' prefix caches, in tokens: the prefix index (in
 * router blocks of characters) of the prompts each worker answered, read through what the answers
 * report. Their prompt tokens, against the characters the router sent, teach the characters per
 * token; their cached tokens, against what the index expected, how much of the index a worker still
 * holds (one whose cache evicts sooner than the index forgets gets its expectations scaled down).
 */
export class CacheKnowledge {
  private readonly index: PrefixIndex;
  private charsPerToken = INITIAL_CHARS_PER_TOKEN;
  /** Per worker, the share of the expected cached tokens its answers reported (1 until told otherwise). */
  private readonly kept = new Map<string, number>();

  constructor(maxBlocks?: number) {
    this.index = new PrefixIndex(maxBlocks);
  }

  /** The prompt's size in tokens, as the workers' answers so far suggest. */
  public promptTokens(prefix: PromptPrefix): number {
    return Math.max(1, Math.round(prefix.chars / this.charsPerToken));
  }

  /** Per worker of `urls`, the tokens of the prompt the router expects it to serve from its cache (workers with none left out). */
  public cachedTokens(prefix: PromptPrefix, urls: readonly string[]): Map<string, number> {
    const tokens = new Map<string, number>();
    for (const [url, blocks] of this.index.matches(prefix.blocks, urls)) {
      tokens.set(url, Math.round(((blocks * ROUTER_BLOCK_CHARS) / this.charsPerToken) * (this.kept.get(url) ?? 1)));
    }
    return tokens;
  }

  /**
   * A worker computed (or pulled) the prompt and answered, its cache serving `cachedTokens` of it
   * where the router expected `expectedTokens`: it holds the prompt's blocks now. Recorded on answers,
   * not on sending, so a worker that failed is not taken to hold anything.
   */
  public answered(url: string, prefix: PromptPrefix, promptTokens: number, cachedTokens: number, expectedTokens: number): void {
    if (promptTokens > 0) this.charsPerToken += LEARNING_RATE * (prefix.chars / promptTokens - this.charsPerToken);
    if (expectedTokens > 0) {
      const share = Math.min(1, cachedTokens / expectedTokens);
      const kept = this.kept.get(url) ?? 1;
      this.kept.set(url, kept + LEARNING_RATE * (share - kept));
    }
    this.index.record(url, prefix.blocks);
  }
}
