export * from './default-app-context';
export * from './default-app';
