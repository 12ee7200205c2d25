export * from './decode-kv-capability';
export * from './decode-endpoint';
export * from './cs3-connection';
export * from './cs3-decode-endpoint';
export * from './trainium-decode-fleet';
export * from './decode-backend';
