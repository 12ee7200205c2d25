import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeGuardRule } from '../controls';
import type { IDecodeEndpoint } from '../decode';
import { API_KEY_PATH_PREFIX } from '../runtime/auth/api-key';
import { ApiEndpointType } from './api-endpoint-type';
import { createApiInvokeRole } from './api-invoke-role';
import type { IPrefillEndpoint } from '../prefill';
import { BearerApiKeyAuthorizer } from './bearer-api-key-authorizer';
import { InvocationAlarms } from './invocation-alarms';
import { InvocationDashboard } from './invocation-dashboard';
import { InvocationMetricsBase } from './invocation-metrics';
import type { InvocationOptions } from './invocation-options';
import { createAccessLogGroup, createInvocationRestApi, logEncryptionKey } from './invocation-rest-api';
import { OpenAiRoute } from '../runtime/openai/openai-routes';
import { deriveModelRegistry } from './model-registry';
import { DecodeAutoScaling, DecodeScaling } from './decode-scaling';
import { PrefillAutoScaling, PrefillScaling } from './prefill-scaling';
import { allowRouterDiscovery } from './router-discovery';
import { createRouterFunctions } from './router-functions';
import { createRouterConnections, createRouterRole, defaultRouterSubnets } from './router-network';

/** Props of `BedrockInvocationLayer`. */
export interface BedrockInvocationLayerProps extends InvocationOptions {
  /**
   * The prefill tier the router sends prompts to.
   *
   * @default - none: every decode tier takes the whole prompt (prompt replay), so the router calls no prefill
   */
  readonly prefill?: IPrefillEndpoint;
  /** The decode endpoint the router streams tokens from: the model's standard latency tier. */
  readonly decode: IDecodeEndpoint;
  /**
   * The model's optimized latency tier (a CS-3), which requests with Bedrock's
   * `performanceConfig: { latency: 'optimized' }` ask for; the router falls back to `decode` when it
   * is throttled or unhealthy, as Bedrock does.
   *
   * @default - none: every request is served by `decode`
   */
  readonly optimizedDecode?: IDecodeEndpoint;
  /**
   * The VPC the router runs in. Required when the prefill or decode tier is reachable only inside
   * a VPC (its `connections` have security groups).
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
   * Where the router reaches the Elastic Load Balancing and EC2 APIs, through which it discovers the
   * healthy hosts of the prefill and decode fleets (`IServerFleet.hosts`) to route to them directly;
   * the router's security group may reach them on 443. Without these APIs the router keeps to the
   * fleets' load balancers.
   *
   * @default - HTTPS to the VPC's CIDR range, where interface endpoints with private DNS answer
   */
  readonly discoveryEndpoints?: ec2.IConnectable[];
}

/**
 * The deployed invocation layer: an IAM-authenticated, Bedrock-Runtime-shaped REST API whose
 * methods run the router of `lib/runtime` in Lambda, wired to the prefill tier and the decode
 * endpoint, with the router's telemetry as metrics (`metricXxx`), a dashboard and alarms.
 */
export class BedrockInvocationLayer extends InvocationMetricsBase implements ec2.IConnectable, iam.IGrantable {
  /** The REST API. */
  public readonly api: apigateway.RestApi;
  /** The URL clients use as `endpoint` (stage path included, no trailing slash). */
  public readonly apiUrl: string;
  /** The URL bearer API key callers use as `endpoint` (`<apiUrl>/key`), with `ApiKeyAccess.bearer()`. */
  public readonly apiKeyUrl?: string;
  /** The bearer API key authorizer and its key table, with `ApiKeyAccess.bearer()`. */
  public readonly apiKeyAuthorizer?: BearerApiKeyAuthorizer;
  /** The ids clients call the model by (the router answers to these; the metrics are per id). */
  public readonly modelIds: string[];
  /** The function serving the buffered operations. */
  public readonly routerFunction: lambda.Function;
  /** The function serving the streaming operations. */
  public readonly streamingRouterFunction: lambda.Function;
  /** The role both router functions run as. */
  public readonly routerRole: iam.IRole;
  /** Network reachability of the router functions (no security group outside a VPC). */
  public readonly connections: ec2.Connections;
  public readonly grantPrincipal: iam.IPrincipal;
  /** The access log group. */
  public readonly accessLogGroup: logs.ILogGroup;
  /** The key of the layer's log groups (access logs, router functions, authorizer). */
  public readonly logEncryptionKey: kms.IKey;
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: InvocationAlarms;
  /** The prefill scaling policy, when one was created. */
  public readonly prefillScaling?: PrefillScaling;
  /** The decode scaling policy, when one was created. */
  public readonly decodeScaling?: DecodeScaling;
  /** The `execute-api` endpoint created for a private API, if any. */
  public readonly vpcEndpoint?: ec2.IInterfaceVpcEndpoint;

  protected readonly defaultModelId: string;

  constructor(scope: Construct, id: string, props: BedrockInvocationLayerProps) {
    super(scope, id);
    const registry = deriveModelRegistry(Stack.of(this), props, props);
    const decodeTiers = [props.decode, ...(props.optimizedDecode ? [props.optimizedDecode] : [])];
    this.modelIds = registry.models[0].modelIds;
    this.defaultModelId = this.modelIds[0];

    const bufferedTimeout = props.bufferedTimeout ?? Duration.seconds(29);
    const streamingTimeout = props.streamingTimeout ?? Duration.minutes(15);
    checkTimeout('bufferedTimeout', bufferedTimeout, Duration.seconds(29), 'raise the integration-timeout quota first or use a streaming operation');
    checkTimeout('streamingTimeout', streamingTimeout, Duration.minutes(15), 'API Gateway streams for at most 15 minutes');

    this.connections = createRouterConnections(this, { ...props, decodeTiers });
    this.routerRole = createRouterRole(this, props.vpc !== undefined);
    this.grantPrincipal = this.routerRole;
    allowRouterDiscovery(this, { ...props, role: this.routerRole, connections: this.connections, decodeTiers });
    this.logEncryptionKey = logEncryptionKey(this, props);
    // Across the VPC's Availability Zones (the API itself is regional): only the EFA fleets are bound to one.
    const vpcSubnets = props.vpc ? (props.vpcSubnets ?? defaultRouterSubnets(props.vpc)) : undefined;
    const routerFunctions = createRouterFunctions(this, {
      role: this.routerRole,
      logEncryptionKey: this.logEncryptionKey,
      registry,
      bufferedTimeout,
      streamingTimeout,
      ...(props.vpc ? { vpc: props.vpc, vpcSubnets, securityGroups: this.connections.securityGroups } : {}),
    });
    this.routerFunction = routerFunctions.buffered;
    this.streamingRouterFunction = routerFunctions.streaming;
    acknowledgeOutsideVpc([routerFunctions.buffered, routerFunctions.streaming], props.vpc);

    for (const tier of decodeTiers) tier.grantInvoke(this.routerRole);
    props.prefill?.grantInvoke(this.routerRole);

    const invokeRole = createApiInvokeRole(this);
    const apiKeyOptions = props.apiKeys?.bearerOptions;
    if (apiKeyOptions) {
      this.apiKeyAuthorizer = new BearerApiKeyAuthorizer(this, 'ApiKeys', {
        ...apiKeyOptions,
        invokeRole,
        logEncryptionKey: this.logEncryptionKey,
        vpc: props.vpc,
        vpcSubnets,
      });
      acknowledgeOutsideVpc([this.apiKeyAuthorizer.function], props.vpc);
    }
    const endpoint = (props.endpointType ?? ApiEndpointType.regional()).bind(this, props.vpc);
    this.vpcEndpoint = endpoint.vpcEndpoint;
    this.accessLogGroup = createAccessLogGroup(this, props, this.logEncryptionKey);
    this.api = createInvocationRestApi(this, {
      options: props,
      endpoint,
      accessLogGroup: this.accessLogGroup,
      routerFunctions,
      invokeRole,
      apiKeyAuthorizer: this.apiKeyAuthorizer?.authorizer,
      bufferedTimeout,
      streamingTimeout,
    });
    this.apiUrl = this.api.urlForPath('/').replace(/\/$/, '');
    this.apiKeyUrl = this.apiKeyAuthorizer ? `${this.apiUrl}/${API_KEY_PATH_PREFIX}` : undefined;

    this.prefillScaling = this.createPrefillScaling(props);
    this.decodeScaling = this.createDecodeScaling(props);
    this.dashboard = new InvocationDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      metrics: this,
      modelIds: this.modelIds,
      prefill: props.prefill,
      decode: props.decode,
      decodeScaling: this.decodeScaling,
    }).dashboard;
    this.alarms = new InvocationAlarms(this, 'Alarms', {
      metrics: this,
      modelIds: this.modelIds,
      prefill: props.prefill,
      decode: props.decode,
      decodeScaling: this.decodeScaling,
      timeToFirstTokenTarget: props.timeToFirstTokenTarget ?? Duration.seconds(2),
      errorRatePercentThreshold: props.errorRatePercentThreshold ?? 5,
      alarmTopic: props.alarmTopic,
    });
  }

  /** Grants `execute-api:Invoke` on every method of the API's stage: the Bedrock operations and the OpenAI-compatible path. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    const stage = this.api.deploymentStage.stageName;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [
        this.api.arnForExecuteApi('POST', '/model/*', stage),
        this.api.arnForExecuteApi('POST', `${OpenAiRoute.PREFIX}/*`, stage),
        this.api.arnForExecuteApi('GET', `${OpenAiRoute.PREFIX}/*`, stage),
      ],
    });
  }

  private createPrefillScaling(props: BedrockInvocationLayerProps): PrefillScaling | undefined {
    const options = (props.prefillScaling ?? PrefillAutoScaling.targetTracking()).targetTrackingOptions;
    const fleet = props.prefill?.fleet;
    if (!options || !fleet) {
      return undefined;
    }
    return new PrefillScaling(this, 'PrefillScaling', {
      ...options,
      autoScalingGroup: fleet.autoScalingGroup,
      prefillLatencySums: this.modelIds.map((modelId) => this.metricPrefillLatency({ modelId, statistic: 'Sum' })),
      healthyHosts: fleet.metricHealthyHostCount(),
    });
  }

  private createDecodeScaling(props: BedrockInvocationLayerProps): DecodeScaling | undefined {
    const options = (props.decodeScaling ?? DecodeAutoScaling.targetTracking()).targetTrackingOptions;
    const fleet = props.decode.fleet;
    if (!options || !fleet) return undefined;
    return new DecodeScaling(this, 'DecodeScaling', { ...options, fleet });
  }
}

/**
 * Outside a VPC the layer's functions fail AWS Control Tower's CT.LAMBDA.PR.3; the layer runs
 * them there only when no tier needs a VPC (`createRouterConnections` refuses the rest), which is
 * mock mode's case: the tiers are IAM-authenticated function URLs, public endpoints, so a VPC
 * would add a NAT gateway (the mock's largest cost by far) and protect nothing.
 */
function acknowledgeOutsideVpc(functions: lambda.Function[], vpc: ec2.IVpc | undefined): void {
  if (vpc) return;
  for (const fn of functions) {
    acknowledgeGuardRule(
      fn,
      'lambda_inside_vpc_check',
      'No tier this function calls is in a VPC (mock mode\'s IAM-authenticated function URLs are public endpoints); a VPC would only add a NAT gateway to reach them.',
    );
  }
}

function checkTimeout(name: string, value: Duration, max: Duration, why: string) {
  if (value.toMilliseconds() > max.toMilliseconds() || value.toMilliseconds() < 2000) {
    throw new Error(
      `BedrockInvocationLayer: ${name} is ${value.toHumanString()}; it must be between 2 seconds and ${max.toHumanString()} (${why}).`,
    );
  }
}
