// The public API of the construct library. Each area re-exports its own index.
export * from './client';
export * from './hardware';
export * from './invocation';
export * from './network';
export * from './fleet';
export * from './prefill';
export * from './decode';
export * from './isolation';
export * from './disaggregated-inference';
export * from './inference-mode';
export * from './app';
export * from './testing';
export * from './runtime';
