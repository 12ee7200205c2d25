import type { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { ApiEndpointType } from './api-endpoint-type';
import type { ApiKeyAccess } from './api-key-access';
import type { DecodeAutoScaling } from './decode-scaling';
import type { PrefillAutoScaling } from './prefill-scaling';
import type { ServedModelOptions } from './served-model';

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

/**
 * Settings of the Bedrock-style API other than the tiers it fronts and the network the router runs
 * in, which `DisaggregatedInference` supplies (see `InvocationApi.bedrockRuntime`).
 */
export interface InvocationOptions extends ServedModelOptions {
  /**
   * Where the API is reachable from.
   *
   * @default ApiEndpointType.regional()
   */
  readonly endpointType?: ApiEndpointType;
  /**
   * Whether callers may also present Amazon Bedrock-style API keys (`Authorization: Bearer`),
   * under `<apiUrl>/key`, beside IAM on the plain paths.
   *
   * @default ApiKeyAccess.none() - IAM (SigV4) only
   */
  readonly apiKeys?: ApiKeyAccess;
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
   * Key encrypting the API's access logs and the router functions' logs. CloudWatch Logs must be
   * allowed to use it (the CloudWatch Logs user guide's key policy for log groups).
   *
   * @default - a new key with rotation enabled, usable by CloudWatch Logs for this account's log groups only
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
   * @default - a new KMS-encrypted, TLS-only topic (`alarms.topic`); subscribe to it to be told
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * How the prefill group follows prefill load. Applies when the prefill tier has a server fleet
   * (`IPrefillEndpoint.fleet`).
   *
   * @default PrefillAutoScaling.targetTracking()
   */
  readonly prefillScaling?: PrefillAutoScaling;
  /**
   * How the decode group follows decode load, on its own policy. Applies when the standard decode
   * tier has a server fleet (`IDecodeEndpoint.fleet`, a Trainium decode fleet).
   *
   * @default DecodeAutoScaling.targetTracking()
   */
  readonly decodeScaling?: DecodeAutoScaling;
  /**
   * Name of the CloudWatch dashboard.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
}
