/**
 * `npm run soak`: a bounded soak of the local gateway (see bench/soak/soak.ts for what it runs).
 * Prints its figures and exits non-zero if any request was lost or hung, anything was left open,
 * or the heap kept after GC grew past its bound. Not part of `npm test`, which runs a short one.
 *
 *   npm run soak -- --requests 10000 --concurrency 32 --abort-share 0.1 --seed 9 --timing realistic
 */
import { parseArgs } from 'node:util';
import { MockTiming } from '../lib/mock';
import { formatSoak } from './soak/print';
import { runSoak, verdict } from './soak/soak';

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} must be a positive number; got '${value}'.`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      'abort-share': { type: 'string' },
      seed: { type: 'string' },
      timing: { type: 'string' },
      'hang-ms': { type: 'string' },
      'max-heap-growth-mb': { type: 'string' },
    },
  });
  const requests = positive(values.requests, 'requests');
  const growthMb = positive(values['max-heap-growth-mb'], 'max-heap-growth-mb');
  let lastPrinted = 0;
  const report = await runSoak({
    requests,
    concurrency: positive(values.concurrency, 'concurrency'),
    abortShare: values['abort-share'] === undefined ? undefined : Number(values['abort-share']),
    seed: positive(values.seed, 'seed'),
    timing: values.timing ? MockTiming.of(values.timing) : undefined,
    hangMs: positive(values['hang-ms'], 'hang-ms'),
    maxHeapGrowthBytes: growthMb === undefined ? undefined : growthMb * 1024 * 1024,
    onProgress: (done) => {
      const total = requests ?? 10_000;
      if (done - lastPrinted >= total / 10 || done === total) {
        lastPrinted = done;
        process.stderr.write(`  ${done}/${total} requests\n`);
      }
    },
  });
  process.stdout.write(`${formatSoak(report)}\n`);
  process.exitCode = verdict(report).length ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
