export * from './nitro-isolation-props';
export * from './nitro-isolation';
export * from './isolation';
