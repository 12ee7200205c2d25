// The runtime's public surface for library users: the gateway core, its contracts, and the
// local server adapter. Protocol internals (operations, router pieces) stay module-private.
export * from './config';
export * from './telemetry-schema';
export * from './http-types';
export * from './errors';
export * from './gateway';
export * from './router';
export * from './registry';
export * from './telemetry';
export * from './node-server';
export * from './node-fetch';
