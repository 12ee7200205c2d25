/**
 * Block names a model's index keeps by default: 262,144 blocks of 64 characters, about 16 M
 * characters (4 M tokens) of distinct prompt prefix, some tens of MB of memory.
 */
export const DEFAULT_PREFIX_INDEX_BLOCKS = 262_144;

/**
 * What the router knows of its workers' prefix caches: which worker holds which block of prompts it
 * has routed (router blocks, see prompt-prefix.ts), from its own routing history, corrected by what
 * the workers report (the cached tokens of their answers). Bounded: at most `maxBlocks` block names,
 * the least recently routed forgotten first (llm-d's approximate prefix index does the same per
 * worker with an LRU, `lruCapacityPerServer` 31,250 blocks by default; this one is shared by the
 * workers of a model, a block cached on several costing one entry).
 */
export class PrefixIndex {
  /** Block name -> the workers holding it; insertion order is recency (a Map keeps it). */
  private readonly holders = new Map<number, string[]>();

  constructor(public readonly maxBlocks: number = DEFAULT_PREFIX_INDEX_BLOCKS) {
    if (!(Number.isInteger(maxBlocks) && maxBlocks >= 1)) throw new Error(`A prefix index needs room for at least 1 block; got ${maxBlocks}.`);
  }

  /** Per worker of `urls`, how many of `blocks`, from the first, it is known to hold (workers holding none are left out). */
  public matches(blocks: readonly number[], urls: readonly string[]): Map<string, number> {
    const matched = new Map<string, number>();
    let live = urls.filter((url) => this.holders.get(blocks[0])?.includes(url));
    for (let i = 0; i < blocks.length && live.length > 0; i++) {
      const holding = this.holders.get(blocks[i]);
      live = holding ? live.filter((url) => holding.includes(url)) : [];
      for (const url of live) matched.set(url, i + 1);
    }
    return matched;
  }

  /** The worker holds the first `count` of `blocks` now (the router sent it the prompt); they become the most recent. */
  public record(url: string, blocks: readonly number[], count = blocks.length): void {
    for (let i = 0; i < count; i++) {
      const block = blocks[i];
      const holding = this.holders.get(block);
      if (holding) {
        this.holders.delete(block);
        if (!holding.includes(url)) holding.push(url);
        this.holders.set(block, holding);
      } else {
        this.holders.set(block, [url]);
      }
    }
    while (this.holders.size > this.maxBlocks) this.holders.delete(this.holders.keys().next().value!);
  }

  /** Block names held now. */
  public get size(): number {
    return this.holders.size;
  }
}
