import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, MockTiming, startMockCluster } from '../../lib/mock';
import { seededRandom } from '../../lib/planning/simulation/random';
import { bedrockClient, TRANSPORTS } from '../../test/e2e/helpers';
import { heapAfterGc } from './heap';
import { type Operation, OPERATIONS } from './operations';
import { pick } from './random';

/**
 * A bounded soak of the local gateway as a careful user would run it: the mock in this process,
 * the official client over HTTP/2 (its default handler) and HTTP/1.1, all five operations, streams
 * and buffered answers, a share of streams left by their client mid-stream, one prefill worker
 * crashed. It counts every request's outcome, bounds each one's time (past it: hung), measures
 * the heap kept after GC after each half and RSS throughout, and checks that nothing is left open.
 */
export interface SoakOptions {
  /** @default 10000 */
  readonly requests?: number;
  /** Requests in flight at once. @default 32 */
  readonly concurrency?: number;
  /** Share of streamed requests whose client leaves after the first content. @default 0.1 */
  readonly abortShare?: number;
  /** Seeds the plan (operation, transport, abort of each request). @default 9 */
  readonly seed?: number;
  /** @default MockTiming.REALISTIC (decode paced at the model's published speed, so streams last) */
  readonly timing?: MockTiming;
  /** A request still running after this long is hung: it is aborted and counted so. @default 30000 */
  readonly hangMs?: number;
  /** Most the heap kept after GC may grow from the end of the first half to the end of the second. @default 2 MiB */
  readonly maxHeapGrowthBytes?: number;
  /** Called as requests complete, with the count so far. */
  readonly onProgress?: (done: number) => void;
}

export type Outcome = 'ok' | 'aborted' | 'failed' | 'hung';

/** Outcomes of one operation over one transport. */
export type OutcomeCounts = Record<Outcome, number>;

export interface SoakReport {
  readonly requests: number;
  readonly concurrency: number;
  readonly abortShare: number;
  readonly seed: number;
  readonly timing: string;
  readonly hangMs: number;
  readonly seconds: number;
  /** Keyed `operation transport`. */
  readonly outcomes: ReadonlyMap<string, OutcomeCounts>;
  readonly totals: OutcomeCounts;
  /** The first failures, with what failed. */
  readonly failures: readonly string[];
  /** What is still open once the soak has ended (all must be 0). */
  readonly open: { readonly inFlightRequests: number; readonly decodeStreams: number; readonly heldKvBytes: number; readonly kvLeases: number };
  readonly heap: { readonly afterFirstHalf: number; readonly afterSecondHalf: number; readonly growth: number; readonly maxGrowth: number };
  readonly rss: { readonly min: number; readonly max: number; readonly end: number };
}

interface Planned {
  readonly operation: Operation;
  readonly transport: (typeof TRANSPORTS)[number];
  readonly abort: boolean;
}

const MAX_FAILURES_KEPT = 20;
/** How long the counters get to reach 0 after the last request (clean-up runs asynchronously). */
const SETTLE_MS = 5000;

export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const requests = options.requests ?? 10_000;
  const concurrency = options.concurrency ?? 32;
  const abortShare = options.abortShare ?? 0.1;
  const seed = options.seed ?? 9;
  const timing = options.timing ?? MockTiming.REALISTIC;
  const hangMs = options.hangMs ?? 30_000;
  const random = seededRandom(seed);
  const plan: Planned[] = Array.from({ length: requests }, () => {
    const operation = pick(random, OPERATIONS);
    return { operation, transport: pick(random, TRANSPORTS), abort: operation.streams && random() < abortShare };
  });

  const cluster = await startMockCluster({
    timing,
    prefillWorkers: 3,
    faults: { crashedPrefillWorkers: 1 },
    gateway: { telemetry: () => undefined },
  });
  // One attempt: a failure the SDK would retry away must show here.
  const clients = new Map(TRANSPORTS.map((transport) => [transport, bedrockClient(cluster.endpoint, transport)] as const));
  const outcomes = new Map<string, OutcomeCounts>();
  const failures: string[] = [];
  const rss = { min: Infinity, max: 0, end: 0 };
  const sampleRss = () => {
    const now = process.memoryUsage.rss();
    rss.min = Math.min(rss.min, now);
    rss.max = Math.max(rss.max, now);
    rss.end = now;
  };
  const sampler = setInterval(sampleRss, 250);
  let done = 0;
  const started = performance.now();
  try {
    const record = (planned: Planned, outcome: Outcome, detail?: string) => {
      const key = `${planned.operation.name} ${planned.transport}`;
      const counts = outcomes.get(key) ?? { ok: 0, aborted: 0, failed: 0, hung: 0 };
      counts[outcome]++;
      outcomes.set(key, counts);
      if (detail && failures.length < MAX_FAILURES_KEPT) failures.push(`${key}: ${outcome}: ${detail}`);
      options.onProgress?.(++done);
    };
    const runOne = (planned: Planned) => one(planned, clients.get(planned.transport)!, hangMs, record);
    await runAll(plan.slice(0, requests / 2), concurrency, runOne);
    const afterFirstHalf = heapAfterGc();
    await runAll(plan.slice(requests / 2), concurrency, runOne);
    const open = await settled(cluster);
    const afterSecondHalf = heapAfterGc();
    sampleRss();
    const totals: OutcomeCounts = { ok: 0, aborted: 0, failed: 0, hung: 0 };
    for (const counts of outcomes.values()) for (const outcome of Object.keys(totals) as Outcome[]) totals[outcome] += counts[outcome];
    return {
      requests,
      concurrency,
      abortShare,
      seed,
      timing: timing.name,
      hangMs,
      seconds: (performance.now() - started) / 1000,
      outcomes,
      totals,
      failures,
      open,
      heap: { afterFirstHalf, afterSecondHalf, growth: afterSecondHalf - afterFirstHalf, maxGrowth: options.maxHeapGrowthBytes ?? 2 * 1024 * 1024 },
      rss,
    };
  } finally {
    clearInterval(sampler);
    for (const client of clients.values()) client.destroy();
    await cluster.close();
  }
}

/** What is wrong with a soak's result; empty when it passed: nothing lost, hung, left open or leaked past the bound. */
export function verdict(report: SoakReport): string[] {
  const problems: string[] = [];
  if (report.totals.failed > 0) problems.push(`${report.totals.failed} requests lost (failed or answered incompletely)`);
  if (report.totals.hung > 0) problems.push(`${report.totals.hung} requests hung past ${report.hangMs} ms`);
  const counted = report.totals.ok + report.totals.aborted + report.totals.failed + report.totals.hung;
  if (counted !== report.requests) problems.push(`${report.requests - counted} requests have no outcome`);
  for (const [name, value] of Object.entries(report.open)) if (value !== 0) problems.push(`${name} left open at the end: ${value}`);
  if (report.heap.growth > report.heap.maxGrowth) {
    problems.push(`heap kept after GC grew ${mb(report.heap.growth)} between the halves (bound ${mb(report.heap.maxGrowth)})`);
  }
  return problems;
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** Runs `planned` requests `concurrency` at a time. */
async function runAll(planned: readonly Planned[], concurrency: number, run: (planned: Planned) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < planned.length) await run(planned[next++]);
    }),
  );
}

/** One request: its outcome recorded once, within the hang bound. */
async function one(planned: Planned, client: BedrockRuntimeClient, hangMs: number, record: (planned: Planned, outcome: Outcome, detail?: string) => void): Promise<void> {
  const controller = new AbortController();
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    controller.abort();
  }, hangMs);
  // A client that leaves sees its stream end as the SDK ends it then (an AbortError, an
  // 'aborted' error over HTTP/1.1, or a quiet end over HTTP/2): all the same outcome.
  const left = () => planned.abort && controller.signal.aborted && !hung;
  try {
    await planned.operation.run({ client, signal: controller.signal, onFirstContent: () => planned.abort && controller.abort() });
    record(planned, left() ? 'aborted' : 'ok');
  } catch (error) {
    if (hung) record(planned, 'hung', `no outcome within ${hangMs} ms`);
    else if (left()) record(planned, 'aborted');
    else record(planned, 'failed', `${(error as Error).name}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** What is still open on the gateway and workers, once it has had up to SETTLE_MS to reach 0. */
async function settled(cluster: MockCluster): Promise<SoakReport['open']> {
  const read = () => {
    const model = cluster.models[0];
    const decode = model.decode.worker.stats();
    return {
      inFlightRequests: cluster.gateway.inFlight,
      decodeStreams: decode.activeStreams,
      heldKvBytes: decode.heldKvBytes,
      kvLeases: model.prefill.reduce((sum, p) => sum + p.worker.leases.size, 0),
    };
  };
  const deadline = Date.now() + SETTLE_MS;
  let open = read();
  while (Object.values(open).some((value) => value !== 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    open = read();
  }
  return open;
}
