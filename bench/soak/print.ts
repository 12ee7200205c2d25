import { OPERATIONS } from './operations';
import { mb, type Outcome, type SoakReport, verdict } from './soak';

const OUTCOMES: readonly Outcome[] = ['ok', 'aborted', 'failed', 'hung'];

/** The soak's figures as lines of text: outcomes per operation and transport, timing, heap, RSS, what is left open, the verdict. */
export function formatSoak(report: SoakReport): string {
  const problems = verdict(report);
  const rows = [['operation', 'transport', ...OUTCOMES]];
  for (const operation of OPERATIONS) {
    for (const [key, counts] of report.outcomes) {
      if (key.startsWith(`${operation.name} `)) rows.push([operation.name, key.slice(operation.name.length + 1), ...OUTCOMES.map((o) => String(counts[o]))]);
    }
  }
  rows.push(['total', '', ...OUTCOMES.map((o) => String(report.totals[o]))]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
  const { open, heap, rss } = report;
  return [
    `soak: ${report.requests} requests (seed ${report.seed}), concurrency ${report.concurrency}, the official client over HTTP/2 and HTTP/1.1,`,
    `  all five operations, ${Math.round(report.abortShare * 100)}% of streams left by their client mid-stream, 1 of 3 prefill workers crashed, timing ${report.timing}`,
    '',
    ...table,
    '',
    `hung (no outcome within ${report.hangMs} ms): ${report.totals.hung}`,
    `duration: ${report.seconds.toFixed(1)} s (${(report.requests / report.seconds).toFixed(0)} requests/s)`,
    `heap kept after GC: ${mb(heap.afterFirstHalf)} after the first half, ${mb(heap.afterSecondHalf)} after the second: growth ${mb(heap.growth)} (bound ${mb(heap.maxGrowth)})`,
    `RSS: min ${mb(rss.min)}, max ${mb(rss.max)}, at the end ${mb(rss.end)}`,
    `open at the end: in-flight requests ${open.inFlightRequests}, decode streams ${open.decodeStreams}, KV bytes held ${open.heldKvBytes}, KV leases ${open.kvLeases}`,
    ...(report.failures.length ? ['', 'first failures:', ...report.failures.map((f) => `  ${f}`)] : []),
    '',
    problems.length ? `FAIL: ${problems.join('; ')}` : 'PASS: 0 lost, 0 hung, nothing left open, heap growth within its bound',
  ].join('\n');
}
