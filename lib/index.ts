// The construct library's public API (the package root): the constructs, their props and choices,
// the hardware catalog they are described by, and the client helper for the deployed API. It
// compiles under jsii (`npm run jsii`). The runtime (`/runtime`), the local mock (`/mock`) and the
// snapshot normalizer (`/testing`) are subpath exports, TypeScript-only and outside this surface.
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
export * from './capacity';
