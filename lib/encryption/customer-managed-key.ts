import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * A customer-managed key as every key of this library is made: rotation on, kept when the stack
 * goes (what it encrypts may outlive the stack), and grants limited to AWS services.
 */
export function createCustomerManagedKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  limitGrantsToAwsServices(key);
  return key;
}

/**
 * Refuses `kms:CreateGrant` unless an AWS service asks for it on behalf of a resource (a DynamoDB
 * table, an EBS volume), the statement AWS Control Tower's proactive control CT.KMS.PR.3 requires:
 * Deny, any principal, `BoolIfExists` with `kms:GrantIsForAWSResource` and
 * `aws:PrincipalIsAWSService` both `false` (cdk-validator-cfnguard 0.0.62,
 * rules/control-tower/cfn-guard/keymanagementservice/ct-kms-pr-3.guard).
 */
export function limitGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'GrantsOnlyForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}

/**
 * A key CloudWatch Logs may use for this account's log groups in the stack's region, and nothing
 * else: the key policy the CloudWatch Logs user guide gives for encrypting log data with KMS
 * ("Encrypt log data in CloudWatch Logs using AWS KMS", step 2), scoped by the
 * `kms:EncryptionContext:aws:logs:arn` condition.
 */
export function createLogsKey(scope: Construct, id: string, description: string): kms.Key {
  const stack = Stack.of(scope);
  const key = createCustomerManagedKey(scope, id, description);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
  return key;
}
