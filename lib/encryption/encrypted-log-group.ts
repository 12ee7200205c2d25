import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** How a log group of this library is kept. */
export interface EncryptedLogGroupOptions {
  /** The key encrypting it (one CloudWatch Logs may use, see `createLogGroupKey`). */
  readonly encryptionKey: kms.IKey;
  /**
   * How long its events are kept. AWS Control Tower's CT.CLOUDWATCH.PR.2 asks for a year or more.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
}

/** A KMS-encrypted log group, kept a year by default and retained when the stack goes (logs are evidence). */
export function createEncryptedLogGroup(scope: Construct, id: string, options: EncryptedLogGroupOptions): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    encryptionKey: options.encryptionKey,
    retention: options.retention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
