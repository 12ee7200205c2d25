import type { RequestOutcome } from '../simulation/simulate';

/** A latency percentile and its limit. */
export interface LatencyTarget {
  /** Percentile, above 0 and at most 100 (90 for p90). */
  readonly percentile: number;
  readonly ms: number;
}

/** What the fleet must meet: a time-to-first-token and a time-per-output-token percentile (either or both). */
export interface Slo {
  readonly ttft?: LatencyTarget;
  readonly tpot?: LatencyTarget;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** The nearest-rank percentile of `values` (not sorted in place). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarise(values: readonly number[]): LatencySummary {
  return { p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99) };
}

/** @throws for an SLO with no target or a target out of range, naming it */
export function validateSlo(slo: Slo): void {
  if (!slo.ttft && !slo.tpot) throw new Error('The SLO needs a TTFT or a TPOT target (or both).');
  for (const [name, target] of [['TTFT', slo.ttft], ['TPOT', slo.tpot]] as const) {
    if (!target) continue;
    if (!(target.percentile > 0 && target.percentile <= 100)) throw new Error(`The ${name} percentile must be above 0 and at most 100; got ${target.percentile}.`);
    if (!(target.ms > 0)) throw new Error(`The ${name} target must be a positive number of ms; got ${target.ms}.`);
  }
}

/** The SLO as text, e.g. `TTFT p90 <= 1000 ms, TPOT p90 <= 50 ms`. */
export function describeSlo(slo: Slo): string {
  const part = (name: string, target: LatencyTarget | undefined) => (target ? [`${name} p${target.percentile} <= ${target.ms} ms`] : []);
  return [...part('TTFT', slo.ttft), ...part('TPOT', slo.tpot)].join(', ');
}

/** Whether one request met the SLO's limits (a one-token answer has no TPOT to miss). */
export function requestMeetsSlo(outcome: RequestOutcome, slo: Slo): boolean {
  if (slo.ttft && outcome.ttftMs > slo.ttft.ms) return false;
  if (slo.tpot && outcome.tpotMs !== undefined && outcome.tpotMs > slo.tpot.ms) return false;
  return true;
}
