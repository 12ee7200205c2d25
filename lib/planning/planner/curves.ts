import type { FleetSize } from '../simulation/simulate';
import { evaluateFleet, PlanInput } from './planner';

/** One arrival rate's figures for a fleet. */
export interface CurvePoint {
  readonly requestsPerSecond: number;
  /** TTFT at the SLO's percentile (p90 when the SLO has no TTFT target). */
  readonly ttftMs: number;
  readonly goodput: number;
}

export interface FleetCurve {
  readonly label: string;
  readonly fleet: FleetSize;
  readonly points: readonly CurvePoint[];
}

/** Arrival rates from a quarter to twice the workload's, for the curves. */
export function arrivalRatesAround(requestsPerSecond: number): number[] {
  return [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2].map((factor) => requestsPerSecond * factor);
}

/** Each fleet's TTFT and goodput across arrival rates (the rest of the workload unchanged). */
export function sweepArrivalRates(input: PlanInput, fleets: readonly { label: string; fleet: FleetSize }[], rates: readonly number[]): FleetCurve[] {
  return fleets.map(({ label, fleet }) => ({
    label,
    fleet,
    points: rates.map((requestsPerSecond) => {
      const evaluation = evaluateFleet(input, fleet, { ...input.workload, requestsPerSecond });
      return { requestsPerSecond, ttftMs: evaluation.ttftAtSloMs, goodput: evaluation.goodput };
    }),
  }));
}
