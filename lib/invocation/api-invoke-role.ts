import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * The role API Gateway assumes to invoke the layer's functions (`ApiInvokeRole` in `scope`), in
 * place of a resource policy on each function. Its grants name the functions exactly, while a
 * function permission for apigateway.amazonaws.com carries a SourceArn built with Fn::Join, which
 * AWS Control Tower's CT.LAMBDA.PR.2 cannot evaluate and reports as public access.
 */
export function createApiInvokeRole(scope: Construct): iam.Role {
  return new iam.Role(scope, 'ApiInvokeRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Assumed by the Bedrock-style API to invoke its router and authorizer functions',
  });
}

/**
 * Lets `role` invoke `functions` (InvokeFunction also covers InvokeWithResponseStream, per the
 * Lambda API reference of InvokeWithResponseStream), and no other version or function.
 */
export function allowInvoke(role: iam.Role, functions: lambda.IFunction[]): void {
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functions.map((f) => f.functionArn) }),
  );
}
