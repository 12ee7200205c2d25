/**
 * The environment contract between the mock deployment construct (`MockInferenceWorkers`, which
 * sets it at synth) and the mock workers' Lambda entry points (which read it). It imports nothing,
 * so the construct may import it without pulling the mock into the construct library.
 */

/** The mock worker functions' configuration, as `MockWorkerConfig` JSON. */
export const MOCK_WORKER_ENV_VAR = 'MOCK_WORKER_CONFIG';

/** The timing names a mock worker function accepts (see `MockTiming`). */
export const MOCK_WORKER_TIMINGS = ['none', 'realistic'] as const;

/** What a mock worker function is told at synth. */
export interface MockWorkerConfig {
  /** Catalog name of the model the worker pretends to serve (`getModelSpec`). */
  readonly model: string;
  /** The `model` name requests carry. */
  readonly servedModelName: string;
  /** A `MockTiming` name: `none` answers at once; `realistic` emulates Trainium and CS-3 speeds. */
  readonly timing: (typeof MOCK_WORKER_TIMINGS)[number];
}
