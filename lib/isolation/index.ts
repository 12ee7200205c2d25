export * from './nitro-isolation';
