/**
 * A seeded pseudo-random generator (mulberry32, public domain: Tommy Ettinger's 32-bit
 * generator as popularised in bryc/code's PRNG notes): the same seed gives the same sequence on
 * every run, so a soak or a fuzz batch that fails can be run again exactly.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One of `items`, picked with `random`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}
