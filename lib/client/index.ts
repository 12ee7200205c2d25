export * from './invocation-client';
