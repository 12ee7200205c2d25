import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** The grant a caller of a decode endpoint needs: read its API key, or nothing beyond the network. */
export function grantReadApiKey(grantee: iam.IGrantable, secret?: secretsmanager.ISecret): iam.Grant {
  return secret ? secret.grantRead(grantee) : iam.Grant.drop(grantee, 'call a decode endpoint without an API key');
}
