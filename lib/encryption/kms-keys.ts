import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * Lets no one create grants on `key` but AWS services, for AWS resources: a Deny of
 * `kms:CreateGrant` unless the grant is for an AWS resource (EBS, say, on behalf of Auto Scaling)
 * or the caller is an AWS service. The statement AWS Control Tower's proactive control
 * CT.KMS.PR.3 (`kms_create_grant_aws_service_check`) looks for: `Principal` `*`, `Resource` `*`
 * and exactly these two `BoolIfExists` keys set to "false". An imported key's policy cannot be
 * changed, so for one this does nothing.
 */
export function limitGrantsToAwsServices(key: kms.IKey): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'GrantsOnlyForAwsResourcesOrByAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}

/**
 * A customer-managed key (rotated yearly, kept when the stack goes) that CloudWatch Logs may use
 * for this account's log groups in this region only (the `kms:EncryptionContext:aws:logs:arn`
 * condition the CloudWatch Logs user guide gives, encrypt-log-data-kms), and that no one may create
 * grants on but AWS services.
 */
export function createLogGroupKey(scope: Construct, id: string, description: string): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
    },
  }));
  limitGrantsToAwsServices(key);
  return key;
}
