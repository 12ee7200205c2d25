export * from './guard-rules';
