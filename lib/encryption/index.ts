// KMS key helpers shared by the constructs (not part of the package's construct API).
export * from './kms-keys';
export * from './customer-managed-key';
export * from './encrypted-log-group';
