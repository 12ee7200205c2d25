/**
 * The environment contract between the invocation layer (which sets these at synth) and the
 * Lambda entry points (which read them). CDK-free, so both sides import the same names.
 */

/** The router's registry, as `RegistryConfig` JSON. */
export const REGISTRY_ENV_VAR = 'BEDROCK_ROUTER_REGISTRY';

/** Reads a required variable, naming it when it is missing. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set; the function was deployed without its configuration.`);
  return value;
}

/** The mock worker functions' configuration, as `MockWorkerConfig` JSON. */
export const MOCK_WORKER_ENV_VAR = 'MOCK_WORKER_CONFIG';

/** What a mock worker function is told at synth. */
export interface MockWorkerConfig {
  /** Catalog name of the model the worker pretends to serve (`getModelSpec`). */
  readonly model: string;
  /** The `model` name requests carry. */
  readonly servedModelName: string;
  /** A `MockTiming` name: `none` answers at once; `realistic` emulates Trainium and CS-3 speeds. */
  readonly timing: string;
}
