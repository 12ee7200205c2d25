export * from './trainium-prefill-fleet';
