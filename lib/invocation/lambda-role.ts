import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * A role for functions of this layer (`id` in `scope`): logs, X-Ray and, in a VPC, its network
 * interfaces, through AWS's minimal managed policies, with the cdk-nag findings that brings
 * acknowledged on it.
 */
export function createLambdaRole(scope: Construct, id: string, description: string, inVpcNetwork: boolean): iam.Role {
  const managed = inVpcNetwork ? 'service-role/AWSLambdaVPCAccessExecutionRole' : 'service-role/AWSLambdaBasicExecutionRole';
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(managed)],
  });
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${managed}]`,
    reason: `${managed} is AWS's minimal policy for a Lambda function's logs${inVpcNetwork ? ' and VPC network interfaces' : ''}; its log and ENI actions cannot be scoped further before the function exists.`,
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing of the functions: xray:PutTraceSegments and PutTelemetryRecords accept only Resource "*".',
  });
  return role;
}
