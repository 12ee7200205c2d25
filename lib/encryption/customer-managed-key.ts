import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { limitGrantsToAwsServices } from './kms-keys';

/**
 * A customer-managed key as every key of this library is made: rotated yearly, kept when the
 * stack goes (what it encrypts may outlive the stack), grants limited to AWS services (CT.KMS.PR.3).
 */
export function createCustomerManagedKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  limitGrantsToAwsServices(key);
  return key;
}
