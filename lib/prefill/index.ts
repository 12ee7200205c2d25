export * from './prefill-endpoint';
export * from './trainium-prefill-fleet';
