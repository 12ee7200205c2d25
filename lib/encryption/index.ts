// Internal helpers for keys and log groups every construct of the library makes the same way
// (not part of the package's public API).
export * from './customer-managed-key';
export * from './encrypted-log-group';
