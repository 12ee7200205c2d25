// The runtime's public surface: the gateway core, its contracts, and the local server adapter.
export * from './config';
export * from './telemetry-schema';
export * from './http-types';
export * from './errors';
export * from './operations';
export * from './gateway';
export * from './router';
export * from './registry';
export * from './telemetry';
export * from './openai-protocol';
export * from './upstream';
export * from './node-server';
