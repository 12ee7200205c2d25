export * from './model-source';
export * from './purchase-option';
export * from './vllm-server';
export * from './server-fleet';
export * from './trainium-fleet-props';
export * from './trainium-server-fleet';
