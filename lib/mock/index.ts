/**
 * `/mock`: the disaggregated pipeline on localhost, for tests and for people without Trainium
 * capacity: mock prefill and decode workers that speak vLLM's OpenAI-compatible API (with the
 * KV hand-off over real sockets), the faults they can show, and the local cluster that puts the
 * Bedrock-compatible gateway in front of them.
 *
 * TypeScript-only, like `/runtime`: code that runs (no aws-cdk-lib, no constructs), outside the
 * jsii surface of the construct library.
 */
// The whole pipeline, or the workers alone (for a gateway of your own).
export * from './mock-cluster';
export * from './mock-workers';
export * from './mock-timing';
export * from './faults';
// The worker factories and what they are made of.
export * from './prefill-worker';
export * from './decode-worker';
export * from './kv-transport';
export * from './kv-lease';
export * from './kv-blob';
export * from './prefix-cache';
export * from './prompt-cache';
export * from './tokenizer';
