/** A seeded pseudo-random source in [0, 1) (mulberry32): the same seed, the same simulation. */
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

/** A standard normal draw (Box-Muller). */
export function normalDraw(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The time to the next arrival of a Poisson process of `ratePerMs`. */
export function exponentialDraw(random: () => number, ratePerMs: number): number {
  return -Math.log(1 - random()) / ratePerMs;
}
