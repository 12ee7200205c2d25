/** Runs `count` calls, `concurrency` at a time (the heap benchmark's and the memory tests' rounds). */
export async function runConcurrently(count: number, concurrency: number, call: () => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await call();
    }),
  );
}
