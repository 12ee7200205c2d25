/** Cancels something a clock was asked to run. */
export type Cancel = () => void;

/**
 * Where the serving engines (prefill queue, decode batch) read the time and set their wake-ups.
 * The mock workers run them on the real clock; the planner's simulation on a virtual one, so
 * both follow the same serving rules.
 */
export interface Clock {
  /** Milliseconds on this clock's time line. */
  now(): number;
  /** Runs `task` at `timeMs` (a real clock: as soon after as it can); returns its cancel. */
  at(timeMs: number, task: () => void): Cancel;
}

/** Wall-clock time (`performance.now()`) and timers. */
export const REAL_CLOCK: Clock = {
  now: () => performance.now(),
  at: (timeMs, task) => {
    const timer = setTimeout(task, Math.max(0, timeMs - performance.now()));
    return () => clearTimeout(timer);
  },
};
