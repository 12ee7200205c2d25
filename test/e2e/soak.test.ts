import { formatSoak } from '../../bench/soak/print';
import { runSoak, verdict } from '../../bench/soak/soak';

/**
 * `npm run soak` in short, as a regression test with the same checks: 1,000 mixed requests (all
 * five operations, streams and buffered answers, HTTP/2 and HTTP/1.1, clients leaving streams,
 * a crashed prefill worker) at concurrency 32: none lost or hung, nothing left open at the end,
 * the heap kept after GC within its bound between the halves.
 */
test('a short soak loses nothing, hangs nothing, leaves nothing open and keeps the heap bounded', async () => {
  const report = await runSoak({ requests: 1000, concurrency: 32 });
  // The whole report on failure says what went wrong.
  expect({ problems: verdict(report), report: formatSoak(report) }).toEqual({ problems: [], report: expect.any(String) });
  expect(report.totals.ok + report.totals.aborted).toBe(1000);
  expect(report.totals.aborted).toBeGreaterThan(0); // the soak did leave streams mid-way
  expect(report.open).toEqual({ inFlightRequests: 0, decodeStreams: 0, heldKvBytes: 0, kvLeases: 0 });
}, 180_000);
