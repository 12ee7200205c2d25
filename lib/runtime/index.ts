// The runtime's public surface for library users: the gateway core, its contracts, and the
// local server adapter. Protocol internals (operations, router pieces) stay module-private.
export * from './routing/registry-config';
export * from './telemetry/schema';
export * from './http/http-types';
export * from './bedrock/errors';
export * from './bedrock/gateway';
export * from './routing/router';
export * from './routing/registry';
export * from './telemetry/request-line';
export * from './telemetry/stdout-sink';
export * from './server/node-server';
export * from './routing/node-fetch';
