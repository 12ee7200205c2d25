export * from './api-endpoint-type';
export * from './bedrock-invocation-layer';
// The operations the API serves, as the runtime defines them (one definition for both sides).
export { BedrockOperation } from '../runtime/bedrock/operations';
export * from './endpoints';
export * from './invocation-alarms';
export * from './invocation-dashboard';
export * from './invocation-metrics';
export * from './model-registry';
export * from './prefill-scaling';
export * from './runtime-function';
export * from './mock-workers';
