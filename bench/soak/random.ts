/** One of `items`, picked with `random` (a seeded source, e.g. the planner's `seededRandom`: a failing soak or fuzz batch can be run again exactly). */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}
