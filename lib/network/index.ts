export * from './efa-network';
