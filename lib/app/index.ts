export * from './default-app-context';
export * from './default-app-props';
export * from './default-app';
