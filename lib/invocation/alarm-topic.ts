import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { createCustomerManagedKey } from '../encryption';

/**
 * The topic the alarms notify when the user names none (`Topic` in `scope`): encrypted with its
 * own key (`TopicKey`), which CloudWatch may use for this account's alarms only, and refusing
 * anything but TLS. CloudWatch cannot publish to a topic under the AWS-managed SNS key; a
 * customer-managed key must let `cloudwatch.amazonaws.com` call kms:Decrypt and
 * kms:GenerateDataKey* (Amazon SNS developer guide, "Enable compatibility between event sources
 * from AWS services and encrypted topics", sns-key-management.html).
 */
export function createAlarmTopic(scope: Construct): sns.Topic {
  const stack = Stack.of(scope);
  const key = createCustomerManagedKey(scope, 'TopicKey', 'Encrypts the alarm notifications of the Bedrock-style API');
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
      },
    }),
  );
  return new sns.Topic(scope, 'Topic', {
    displayName: 'Bedrock-style API alarms',
    masterKey: key,
    enforceSSL: true,
  });
}
