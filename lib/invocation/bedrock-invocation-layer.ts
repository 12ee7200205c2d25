import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { RegistryConfig } from '../runtime/routing/registry-config';
import { REGISTRY_ENV_VAR } from '../runtime/lambda/environment';
import type { MetricName } from '../runtime/telemetry/schema';
import { ApiEndpointType } from './api-endpoint-type';
import type { IDecodeEndpoint } from '../decode';
import { urlPort } from '../decode/url-port';
import { BedrockOperation } from '../runtime/bedrock/operations';
import type { IPrefillEndpoint } from './endpoints';
import { InvocationAlarms } from './invocation-alarms';
import { InvocationDashboard } from './invocation-dashboard';
import { InvocationMetrics, type InvocationErrorMetricOptions, type InvocationMetricOptions } from './invocation-metrics';
import { deriveModelRegistry, type ServedModelOptions } from './model-registry';
import { PrefillScaling, type PrefillScalingOptions } from './prefill-scaling';
import { RuntimeEntry, RuntimeFunction } from './runtime-function';


/** Stage throttling of the API. */
export interface InvocationThrottling {
  /**
   * Steady requests per second across the stage.
   *
   * @default 50
   */
  readonly rateLimit?: number;
  /**
   * Burst of requests the stage accepts above the steady rate.
   *
   * @default 100
   */
  readonly burstLimit?: number;
}

/** Props of `BedrockInvocationLayer`. */
export interface BedrockInvocationLayerProps extends ServedModelOptions {
  /** The prefill tier the router sends prompts to. */
  readonly prefill: IPrefillEndpoint;
  /** The decode endpoint the router streams tokens from. */
  readonly decode: IDecodeEndpoint;
  /**
   * The VPC the router runs in. Required when the prefill or decode tier is reachable only inside
   * a VPC (it exposes `connections`).
   *
   * @default - the router runs outside any VPC (only for tiers reachable over the internet, such as mock mode's function URLs)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` the router runs in.
   *
   * @default - the VPC's private subnets with egress, or its isolated subnets when it has none
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The interface endpoint through which the router reads the decode API key from Secrets Manager.
   * The router's security group may reach it on 443.
   *
   * @default - HTTPS to the VPC's CIDR range, where an interface endpoint with private DNS answers
   */
  readonly secretsManagerEndpoint?: ec2.IConnectable;
  /**
   * Where the API is reachable from.
   *
   * @default ApiEndpointType.regional()
   */
  readonly endpointType?: ApiEndpointType;
  /**
   * Name of the API stage; part of the URL clients call.
   *
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * Stage throttling.
   *
   * @default - 50 requests per second, bursts of 100
   */
  readonly throttling?: InvocationThrottling;
  /**
   * Time limit of the buffered operations (Converse, InvokeModel, CountTokens). API Gateway allows
   * 29 seconds unless the account's integration-timeout quota was raised; a longer generation
   * belongs on the streaming operations.
   *
   * @default Duration.seconds(29)
   */
  readonly bufferedTimeout?: Duration;
  /**
   * Time limit of the streaming operations; API Gateway streams for up to 15 minutes.
   *
   * @default Duration.minutes(15)
   */
  readonly streamingTimeout?: Duration;
  /**
   * Key encrypting the API's access logs.
   *
   * @default - a new key with rotation enabled
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * How long access logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * Whether this stack sets API Gateway's account-wide CloudWatch role, which access and execution
   * logs need. Turn it off where the account has one already: the setting is per account and
   * region, and stacks that each set it overwrite one another.
   *
   * @default true
   */
  readonly cloudWatchRole?: boolean;
  /**
   * Time to first token (p90) above which the latency alarm fires.
   *
   * @default Duration.seconds(2)
   */
  readonly timeToFirstTokenTarget?: Duration;
  /**
   * Percentage of failed requests above which the error-rate alarm fires.
   *
   * @default 5
   */
  readonly errorRatePercentThreshold?: number;
  /**
   * Topic the alarms notify.
   *
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Whether to scale the prefill group on prefill load; false leaves its capacity alone. Applies
   * when the prefill tier has an Auto Scaling group and a healthy-host metric.
   *
   * @default true
   */
  readonly scalePrefill?: boolean;
  /**
   * How the prefill group scales on prefill load, when `scalePrefill` is true.
   *
   * @default - target tracking with the defaults of `PrefillScalingOptions`
   */
  readonly prefillScaling?: PrefillScalingOptions;
  /**
   * Name of the CloudWatch dashboard.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
}

/**
 * The deployed invocation layer: an IAM-authenticated, Bedrock-Runtime-shaped REST API whose
 * methods run the router of `lib/runtime` in Lambda, wired to the prefill tier and the decode
 * endpoint, with the router's telemetry as metrics, a dashboard and alarms.
 */
export class BedrockInvocationLayer extends Construct implements ec2.IConnectable, iam.IGrantable {
  /** The REST API. */
  public readonly api: apigateway.RestApi;
  /** The URL clients use as `endpoint` (stage path included, no trailing slash). */
  public readonly apiUrl: string;
  /** The function serving the buffered operations. */
  public readonly routerFunction: RuntimeFunction;
  /** The function serving the streaming operations. */
  public readonly streamingRouterFunction: RuntimeFunction;
  /** The role both router functions run as. */
  public readonly routerRole: iam.IRole;
  /** The registry the router is configured with (may contain tokens). */
  public readonly registry: RegistryConfig;
  /** Network reachability of the router functions (empty outside a VPC). */
  public readonly connections: ec2.Connections;
  public readonly grantPrincipal: iam.IPrincipal;
  /** The access log group. */
  public readonly accessLogGroup: logs.ILogGroup;
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: InvocationAlarms;
  /** The prefill scaling policy, when one was created. */
  public readonly prefillScaling?: PrefillScaling;
  /** The `execute-api` endpoint created for a private API, if any. */
  public readonly vpcEndpoint?: ec2.IInterfaceVpcEndpoint;

  private readonly metrics: InvocationMetrics;

  constructor(scope: Construct, id: string, props: BedrockInvocationLayerProps) {
    super(scope, id);
    this.registry = deriveModelRegistry(props.prefill, props.decode, props);
    const modelIds = this.registry.models[0].modelIds;
    this.metrics = new InvocationMetrics(modelIds[0]);

    const bufferedTimeout = props.bufferedTimeout ?? Duration.seconds(29);
    const streamingTimeout = props.streamingTimeout ?? Duration.minutes(15);
    checkTimeout('bufferedTimeout', bufferedTimeout, Duration.seconds(29), 'raise the integration-timeout quota first or use a streaming operation');
    checkTimeout('streamingTimeout', streamingTimeout, Duration.minutes(15), 'API Gateway streams for at most 15 minutes');

    this.connections = this.createRouterNetwork(props);
    this.routerRole = this.createRouterRole(props.vpc !== undefined);
    this.grantPrincipal = this.routerRole;
    const network = props.vpc
      ? {
          vpc: props.vpc,
          vpcSubnets: props.vpcSubnets ?? defaultRouterSubnets(props.vpc),
          securityGroups: this.connections.securityGroups,
        }
      : {};

    this.routerFunction = new RuntimeFunction(this, 'RouterFunction', {
      entry: RuntimeEntry.ROUTER,
      handler: 'handler',
      description: 'Bedrock-style router: buffered operations (Converse, InvokeModel, CountTokens)',
      role: this.routerRole,
      timeout: bufferedTimeout,
      environment: { [REGISTRY_ENV_VAR]: this.registryJson(bufferedTimeout) },
      ...network,
    });
    this.streamingRouterFunction = new RuntimeFunction(this, 'StreamingRouterFunction', {
      entry: RuntimeEntry.ROUTER,
      handler: 'streamingHandler',
      description: 'Bedrock-style router: streaming operations (ConverseStream, InvokeModelWithResponseStream)',
      role: this.routerRole,
      timeout: streamingTimeout,
      environment: { [REGISTRY_ENV_VAR]: this.registryJson(streamingTimeout) },
      ...network,
    });

    props.decode.grantInvoke(this.routerRole);
    props.prefill.grantInvoke?.(this.routerRole);

    const endpoint = (props.endpointType ?? ApiEndpointType.regional()).bind(this, props.vpc);
    this.vpcEndpoint = endpoint.vpcEndpoint;
    this.accessLogGroup = this.createAccessLogGroup(props);
    this.api = this.createApi(props, endpoint, bufferedTimeout, streamingTimeout);
    this.apiUrl = this.api.urlForPath('/').replace(/\/$/, '');

    this.dashboard = new InvocationDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      metrics: this.metrics,
      modelIds,
      prefill: props.prefill,
    }).dashboard;
    this.alarms = new InvocationAlarms(this, 'Alarms', {
      metrics: this.metrics,
      modelIds,
      prefill: props.prefill,
      timeToFirstTokenTarget: props.timeToFirstTokenTarget ?? Duration.seconds(2),
      errorRatePercentThreshold: props.errorRatePercentThreshold ?? 5,
      alarmTopic: props.alarmTopic,
    });
    this.prefillScaling = this.createPrefillScaling(props, modelIds);
  }

  /** Grants `execute-api:Invoke` on every method of the API's stage. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.api.arnForExecuteApi('POST', '/model/*', this.api.deploymentStage.stageName)],
    });
  }

  /** Any metric of the router's request line (see `METRIC_NAMES`). */
  public metric(metricName: MetricName, options?: InvocationMetricOptions): cloudwatch.Metric {
    return this.metrics.metric(metricName, options);
  }

  /** Milliseconds from request to first output token (p90 unless `statistic` is given). */
  public metricTimeToFirstToken(options?: InvocationMetricOptions): cloudwatch.Metric {
    return this.metrics.timeToFirstToken(options);
  }

  /** Mean milliseconds per output token after the first (p90 unless `statistic` is given). */
  public metricTimePerOutputToken(options?: InvocationMetricOptions): cloudwatch.Metric {
    return this.metrics.timePerOutputToken(options);
  }

  /** Milliseconds of the prefill stage (p90 unless `statistic` is given). */
  public metricPrefillLatency(options?: InvocationMetricOptions): cloudwatch.Metric {
    return this.metrics.prefillLatency(options);
  }

  /** Milliseconds of the KV hand-off or prompt replay (p90 unless `statistic` is given). */
  public metricKvHandoffLatency(options?: InvocationMetricOptions): cloudwatch.Metric {
    return this.metrics.kvHandoffLatency(options);
  }

  /** Output tokens per second of the decode stream (average unless `statistic` is given). */
  public metricOutputTokensPerSecond(options?: InvocationMetricOptions): cloudwatch.Metric {
    return this.metrics.outputTokensPerSecond(options);
  }

  /** Requests per period. */
  public metricRequests(options?: InvocationMetricOptions): cloudwatch.Metric {
    return this.metrics.requests(options);
  }

  /**
   * Failed requests per period: of one Bedrock error type (e.g. `ThrottlingException`) when
   * `errorType` is given, else the model's total.
   */
  public metricErrors(options?: InvocationErrorMetricOptions): cloudwatch.Metric {
    return this.metrics.errors(options);
  }

  private registryJson(functionTimeout: Duration): string {
    // The router answers ModelTimeoutException before Lambda or API Gateway cut the request off.
    const totalMs = functionTimeout.toMilliseconds() - 1000;
    const registry: RegistryConfig = {
      models: this.registry.models.map((m) => ({
        ...m,
        timeouts: { ...m.timeouts, totalMs: Math.min(m.timeouts?.totalMs ?? totalMs, totalMs) },
      })),
    };
    return Stack.of(this).toJsonString(registry);
  }

  private createRouterNetwork(props: BedrockInvocationLayerProps): ec2.Connections {
    const needsVpc = [props.prefill.connections, props.decode.connections].some((c) => c !== undefined);
    if (!props.vpc) {
      if (needsVpc) {
        throw new Error(
          'BedrockInvocationLayer: the prefill or decode tier is reachable only inside a VPC (it has `connections`), ' +
            'but no `vpc` was given. Pass the network\'s VPC as `vpc` (e.g. `vpc: network.vpc`).',
        );
      }
      return new ec2.Connections();
    }
    const securityGroup = new ec2.SecurityGroup(this, 'RouterSecurityGroup', {
      vpc: props.vpc,
      description: 'Bedrock-style router: egress only to the prefill load balancer, the decode endpoint and Secrets Manager',
      allowAllOutbound: false,
    });
    const connections = securityGroup.connections;
    if (props.prefill.connections) {
      const port = props.prefill.port ?? props.prefill.connections.defaultPort;
      if (!port) {
        throw new Error('BedrockInvocationLayer: the prefill tier has `connections` but no `port`; give the load balancer port.');
      }
      connections.allowTo(props.prefill.connections, ec2.Port.tcp(port as number), 'router to prefill load balancer');
    }
    if (props.decode.connections) {
      const port = props.decode.connections.defaultPort ?? ec2.Port.tcp(urlPort(props.decode.endpointUrl));
      connections.allowTo(props.decode.connections, port, 'router to decode endpoint');
    } else {
      // A decode endpoint outside the VPC (a CS-3 behind a public HTTPS URL) has no fixed address.
      connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.tcp(urlPort(props.decode.endpointUrl)), 'router to decode endpoint outside the VPC');
    }
    if (props.decode.apiKeySecret) {
      if (props.secretsManagerEndpoint) {
        connections.allowTo(props.secretsManagerEndpoint, ec2.Port.tcp(443), 'router to Secrets Manager endpoint');
      } else {
        connections.allowTo(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'router to Secrets Manager interface endpoint');
      }
    }
    return connections;
  }

  private createRouterRole(inVpc: boolean): iam.Role {
    const managed = inVpc ? 'service-role/AWSLambdaVPCAccessExecutionRole' : 'service-role/AWSLambdaBasicExecutionRole';
    const role = new iam.Role(this, 'RouterRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Bedrock-style router functions',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(managed)],
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${managed}]`,
      reason: `${managed} is AWS's minimal policy for a Lambda function's logs${inVpc ? ' and VPC network interfaces' : ''}; its log and ENI actions cannot be scoped further before the function exists.`,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing of the router functions: xray:PutTraceSegments and PutTelemetryRecords accept only Resource "*".',
    });
    return role;
  }

  private createAccessLogGroup(props: BedrockInvocationLayerProps): logs.LogGroup {
    let key = props.logEncryptionKey;
    if (!key) {
      const stack = Stack.of(this);
      const created = new kms.Key(this, 'AccessLogKey', {
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
    return new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: key,
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private createApi(
    props: BedrockInvocationLayerProps,
    endpoint: ReturnType<ApiEndpointType['bind']>,
    bufferedTimeout: Duration,
    streamingTimeout: Duration,
  ): apigateway.RestApi {
    const setCloudWatchRole = props.cloudWatchRole ?? true;
    const api = new apigateway.RestApi(this, 'Api', {
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
        stageName: props.stageName ?? 'v1',
        throttlingRateLimit: props.throttling?.rateLimit ?? 50,
        throttlingBurstLimit: props.throttling?.burstLimit ?? 100,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
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
    const validator = api.addRequestValidator('PathValidator', { validateRequestParameters: true });
    const model = api.root.addResource('model').addResource('{modelId}');
    for (const operation of BedrockOperation.ALL) {
      const integration = operation.streaming
        ? new apigateway.LambdaIntegration(this.streamingRouterFunction, {
            responseTransferMode: apigateway.ResponseTransferMode.STREAM,
            timeout: streamingTimeout,
            allowTestInvoke: false,
          })
        : new apigateway.LambdaIntegration(this.routerFunction, { timeout: bufferedTimeout, allowTestInvoke: false });
      model.addResource(operation.pathSuffix).addMethod('POST', integration, {
        authorizationType: apigateway.AuthorizationType.IAM,
        requestValidator: validator,
        requestParameters: { 'method.request.path.modelId': true },
      });
    }
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
    return api;
  }

  private createPrefillScaling(props: BedrockInvocationLayerProps, modelIds: string[]): PrefillScaling | undefined {
    const group = props.prefill.autoScalingGroup;
    if (props.scalePrefill === false || !group || !props.prefill.metricHealthyHostCount) {
      return undefined;
    }
    return new PrefillScaling(this, 'PrefillScaling', {
      ...props.prefillScaling,
      autoScalingGroup: group,
      prefillLatencySums: modelIds.map((modelId) => this.metrics.prefillLatency({ modelId, statistic: 'Sum' })),
      healthyHosts: props.prefill.metricHealthyHostCount(),
    });
  }
}

function defaultRouterSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.privateSubnets.length > 0
    ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
    : { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
}

function checkTimeout(name: string, value: Duration, max: Duration, why: string) {
  if (value.toMilliseconds() > max.toMilliseconds() || value.toMilliseconds() < 2000) {
    throw new Error(
      `BedrockInvocationLayer: ${name} is ${value.toHumanString()}; it must be between 2 seconds and ${max.toHumanString()} (${why}).`,
    );
  }
}
