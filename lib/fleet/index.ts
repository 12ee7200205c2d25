export * from './model-source';
export * from './purchase-option';
export * from './vllm-server';
export * from './trainium-server-fleet';
