// Mock workers and the local pipeline: runtime code, no aws-cdk-lib.
export * from './mock-cluster';
export * from './mock-timing';
export * from './prefill-worker';
export * from './decode-worker';
export * from './kv-transport';
export * from './kv-lease';
export * from './kv-blob';
export * from './timing';
export * from './faults';
export * from './tokenizer';
