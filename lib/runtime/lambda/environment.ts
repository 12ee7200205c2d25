/**
 * The environment contract between the invocation layer (which sets these at synth) and the
 * router's Lambda entry points (which read them). CDK-free, so both sides import the same names.
 */

/** The router's registry, as `RegistryConfig` JSON. */
export const REGISTRY_ENV_VAR = 'BEDROCK_ROUTER_REGISTRY';

/** Reads a required variable, naming it when it is missing. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set; the function was deployed without its configuration.`);
  return value;
}

/** The bearer API key authorizer's key table, by name. */
export const API_KEY_TABLE_ENV_VAR = 'API_KEY_TABLE';
