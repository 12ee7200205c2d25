import { RemovalPolicy, Stack, Validations, type Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BedrockOperation } from '../runtime/bedrock/operations';
import type { ApiEndpointTypeConfig } from './api-endpoint-type';
import type { InvocationOptions } from './invocation-options';
import type { RouterFunctions } from './router-functions';

/**
 * The API's access log group (`AccessLogs` in `scope`), KMS-encrypted with the given key or a new
 * one (`AccessLogKey`) that CloudWatch Logs may use for this account's log groups only.
 */
export function createAccessLogGroup(scope: Construct, options: InvocationOptions): logs.LogGroup {
  let key = options.logEncryptionKey;
  if (!key) {
    const stack = Stack.of(scope);
    const created = new kms.Key(scope, 'AccessLogKey', {
      description: 'Encrypts the access logs of the Bedrock-style API',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    created.addToResourcePolicy(
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
    key = created;
  }
  return new logs.LogGroup(scope, 'AccessLogs', {
    encryptionKey: key,
    retention: options.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** What the REST API is built from. */
export interface InvocationRestApiProps {
  readonly options: InvocationOptions;
  readonly endpoint: ApiEndpointTypeConfig;
  readonly accessLogGroup: logs.ILogGroup;
  readonly routerFunctions: RouterFunctions;
  readonly bufferedTimeout: Duration;
  readonly streamingTimeout: Duration;
}

/**
 * The REST API (`Api` in `scope`): `POST /model/{modelId}/<operation>` for every Bedrock operation,
 * IAM-authorized, the streaming ones on the streaming function with response streaming; bodies
 * passed through as bytes; a throttled stage with JSON access logs and tracing.
 */
export function createInvocationRestApi(scope: Construct, props: InvocationRestApiProps): apigateway.RestApi {
  const { options, endpoint } = props;
  const setCloudWatchRole = options.cloudWatchRole ?? true;
  const api = new apigateway.RestApi(scope, 'Api', {
    description: 'Amazon Bedrock Runtime-compatible API of the disaggregated inference deployment',
    endpointConfiguration: endpoint.endpointConfiguration,
    policy: endpoint.policy,
    // Every body is passed through as bytes, both ways: InvokeModel bodies and event streams are
    // binary-safe only this way, and the adapter decodes base64 uniformly.
    binaryMediaTypes: ['*/*'],
    cloudWatchRole: setCloudWatchRole,
    // Kept on stack deletion: other APIs of the account log through the same setting.
    cloudWatchRoleRemovalPolicy: setCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
    defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
    deployOptions: {
      stageName: options.stageName ?? 'v1',
      throttlingRateLimit: options.throttling?.rateLimit ?? 50,
      throttlingBurstLimit: options.throttling?.burstLimit ?? 100,
      accessLogDestination: new apigateway.LogGroupLogDestination(props.accessLogGroup),
      accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({
        caller: true,
        httpMethod: true,
        ip: true,
        protocol: true,
        requestTime: true,
        resourcePath: true,
        responseLength: true,
        status: true,
        user: true,
      }),
      // Errors only, and never request or response bodies: prompts stay out of the logs.
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      tracingEnabled: true,
      metricsEnabled: true,
    },
  });
  addOperations(api, props);
  acknowledgeNagFindings(api);
  return api;
}

function addOperations(api: apigateway.RestApi, props: InvocationRestApiProps): void {
  const validator = api.addRequestValidator('PathValidator', { validateRequestParameters: true });
  const model = api.root.addResource('model').addResource('{modelId}');
  for (const operation of BedrockOperation.ALL) {
    const integration = operation.streaming
      ? new apigateway.LambdaIntegration(props.routerFunctions.streaming, {
          responseTransferMode: apigateway.ResponseTransferMode.STREAM,
          timeout: props.streamingTimeout,
          allowTestInvoke: false,
        })
      : new apigateway.LambdaIntegration(props.routerFunctions.buffered, { timeout: props.bufferedTimeout, allowTestInvoke: false });
    model.addResource(operation.pathSuffix).addMethod('POST', integration, {
      authorizationType: apigateway.AuthorizationType.IAM,
      requestValidator: validator,
      requestParameters: { 'method.request.path.modelId': true },
    });
  }
}

function acknowledgeNagFindings(api: apigateway.RestApi): void {
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason: 'API Gateway validates the path parameters; bodies are validated by the router, which must answer a bad body with a Bedrock ValidationException (x-amzn-errortype) that the client understands, not an API Gateway model error.',
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-COG4',
    reason: 'Every method uses IAM (SigV4) authorization, which is what the Bedrock Runtime client speaks; a Cognito user pool authorizer would break the client.',
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG3',
    reason: 'Callers are IAM principals granted execute-api:Invoke and the stage is throttled; a WAF web ACL can be associated by the operator where the API faces untrusted networks.',
  });
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    Validations.of(cloudWatchRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level role API Gateway needs to write execution logs; AWS maintains this policy for exactly that purpose.',
    });
  }
}
