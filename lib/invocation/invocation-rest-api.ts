import { RemovalPolicy, Validations, type Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { createEncryptedLogGroup, createLogGroupKey } from '../encryption';
import { API_KEY_PATH_PREFIX } from '../runtime/auth/api-key';
import { BedrockOperation } from '../runtime/bedrock/operations';
import { OpenAiRoute } from '../runtime/openai/openai-routes';
import { allowInvoke } from './api-invoke-role';
import type { ApiEndpointTypeConfig } from './api-endpoint-type';
import type { InvocationOptions } from './invocation-options';
import type { RouterFunctions } from './router-functions';

/**
 * The key of the layer's log groups (the API's access logs, the router functions' logs): the given
 * one, or a new one (`LogKey` in `scope`) that CloudWatch Logs may use for this account's log groups only.
 */
export function logEncryptionKey(scope: Construct, options: InvocationOptions): kms.IKey {
  return options.logEncryptionKey ?? createLogGroupKey(scope, 'LogKey', 'Encrypts the logs of the Bedrock-style API: access logs and the router functions\' logs');
}

/** The API's access log group (`AccessLogs` in `scope`), KMS-encrypted with `key`. */
export function createAccessLogGroup(scope: Construct, options: InvocationOptions, key: kms.IKey): logs.LogGroup {
  return createEncryptedLogGroup(scope, 'AccessLogs', { encryptionKey: key, retention: options.accessLogRetention });
}

/** What the REST API is built from. */
export interface InvocationRestApiProps {
  readonly options: InvocationOptions;
  readonly endpoint: ApiEndpointTypeConfig;
  readonly accessLogGroup: logs.ILogGroup;
  readonly routerFunctions: RouterFunctions;
  /** The role API Gateway invokes the router functions with (it is granted that here). */
  readonly invokeRole: iam.Role;
  /**
   * The authorizer of the bearer-key methods under `/key`.
   * @default - no bearer-key methods
   */
  readonly apiKeyAuthorizer?: apigateway.IAuthorizer;
  readonly bufferedTimeout: Duration;
  readonly streamingTimeout: Duration;
}

/**
 * The REST API (`Api` in `scope`): `POST /model/{modelId}/<operation>` for every Bedrock operation,
 * IAM-authorized, and with an API key authorizer the same under `/key`, bearer-authorized; the
 * OpenAI-compatible routes under `/openai/v1` (chat completions, the models list), IAM-authorized;
 * the streaming ones on the streaming function with response streaming; bodies passed through as
 * bytes; a throttled stage with JSON access logs and tracing.
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
  const { buffered, streaming } = props.routerFunctions;
  allowInvoke(props.invokeRole, [buffered, streaming]);
  const addModelMethods = (parent: apigateway.IResource, auth: apigateway.MethodOptions) => {
    const model = parent.addResource('model').addResource('{modelId}');
    for (const operation of BedrockOperation.ALL) {
      model.addResource(operation.pathSuffix).addMethod('POST', routerIntegration(operation.streaming, props), {
        ...auth,
        requestValidator: validator,
        requestParameters: { 'method.request.path.modelId': true },
      });
    }
  };
  addModelMethods(api.root, { authorizationType: apigateway.AuthorizationType.IAM });
  if (props.apiKeyAuthorizer) {
    addModelMethods(api.root.addResource(API_KEY_PATH_PREFIX), {
      authorizationType: apigateway.AuthorizationType.CUSTOM,
      authorizer: props.apiKeyAuthorizer,
    });
  }
  // The OpenAI-compatible path: chat completions answer streamed or whole as the body asks, so
  // they run on the streaming function (which sends a whole answer as well).
  const openAi = OpenAiRoute.PREFIX.split('/').filter(Boolean).reduce((parent, part) => parent.addResource(part), api.root);
  for (const route of OpenAiRoute.ALL) {
    const resource = route.segments.reduce((parent, part) => parent.getResource(part) ?? parent.addResource(part), openAi);
    const hasModelId = route.segments.includes('{modelId}');
    resource.addMethod(route.method, routerIntegration(route.streaming, props), {
      authorizationType: apigateway.AuthorizationType.IAM,
      ...(hasModelId ? { requestValidator: validator, requestParameters: { 'method.request.path.modelId': true } } : {}),
    });
  }
}

/**
 * The Lambda proxy integration of an operation: what `LambdaIntegration` renders (the Lambda
 * invocation URI, response streaming for the streaming operations), invoked with the layer's role
 * instead of a resource policy on the function.
 */
function routerIntegration(streaming: boolean, props: InvocationRestApiProps): apigateway.Integration {
  const fn = streaming ? props.routerFunctions.streaming : props.routerFunctions.buffered;
  return new apigateway.AwsIntegration({
    proxy: true,
    service: 'lambda',
    // The URIs of aws-cdk-lib's LambdaIntegration (2.276.0) and of the API Gateway developer guide,
    // "Set up a Lambda proxy integration with payload response streaming".
    path: streaming
      ? `2021-11-15/functions/${fn.functionArn}/response-streaming-invocations`
      : `2015-03-31/functions/${fn.functionArn}/invocations`,
    options: {
      credentialsRole: props.invokeRole,
      timeout: streaming ? props.streamingTimeout : props.bufferedTimeout,
      ...(streaming ? { responseTransferMode: apigateway.ResponseTransferMode.STREAM } : {}),
    },
  });
}

function acknowledgeNagFindings(api: apigateway.RestApi): void {
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason: 'API Gateway validates the path parameters; bodies are validated by the router, which must answer a bad body with a Bedrock ValidationException (x-amzn-errortype) that the client understands, not an API Gateway model error.',
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-COG4',
    reason: 'Every method uses IAM (SigV4) authorization or, under /key, the bearer API key authorizer: the two schemes the Bedrock Runtime client speaks; a Cognito user pool authorizer would break the client.',
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
