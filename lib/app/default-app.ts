import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DecodeBackend } from '../decode';
import { DisaggregatedInference, DisaggregatedInferenceProps } from '../disaggregated-inference';
import { PurchaseOption } from '../fleet';
import { InferenceMode } from '../inference-mode';
import { ApiKeyAccess, InvocationApi } from '../invocation';
import { addControls } from './controls';
import { DefaultAppContext, readDefaultAppContext } from './default-app-context';
import { acknowledgePendingFleetNetworkFindings } from './pending-fleet-network-exemptions';

/** Name of the default app's stack. */
export const DEFAULT_STACK_NAME = 'DisaggregatedInference';

/** Options of {@link buildDefaultStack}. */
export interface DefaultStackOptions {
  /**
   * The CloudFormation stack name (the construct, and so every logical id, stays the same).
   * @default DEFAULT_STACK_NAME
   */
  readonly stackName?: string;
}

/** What {@link buildDefaultApp} built. */
export interface DefaultApp {
  readonly stack: Stack;
  readonly inference: DisaggregatedInference;
}

/** The context keys that configure the prefill fleet. */
const PREFILL_KEYS = ['prefillInstanceType', 'prefillMinCapacity', 'prefillMaxCapacity', 'capacityBlockReservationId'] as const;

/** The composition's props from the default app's context. */
export function defaultInferenceProps(context: DefaultAppContext): DisaggregatedInferenceProps {
  const invocation = InvocationApi.bedrockRuntime(context.apiKeys ? { apiKeys: ApiKeyAccess.bearer() } : {});
  if (context.mode !== undefined) {
    if (context.mode !== 'mock') {
      throw new Error(`Context mode='${context.mode}' is not a mode the app knows; pass -c mode=mock, or leave mode out for Trainium.`);
    }
    return { mode: InferenceMode.mock(), invocation };
  }
  if (context.decodeModelName !== undefined && context.decodeEndpointUrl === undefined) {
    throw new Error(
      `Context decodeModelName='${context.decodeModelName}' names the model of a CS-3 endpoint, but no decodeEndpointUrl ` +
        'was given, so decode would run on Trainium and ignore it. Pass -c decodeEndpointUrl=https://... too, or drop decodeModelName.',
    );
  }
  const network = context.availabilityZone ? { availabilityZone: context.availabilityZone } : undefined;
  if (context.decodeEndpointUrl !== undefined) {
    // The CS-3 takes the whole prompt (prompt replay): the router never calls prefill, so there is no prefill fleet to configure.
    const prefillKeys = PREFILL_KEYS.filter((key) => context[key] !== undefined);
    if (prefillKeys.length > 0) {
      throw new Error(
        `Context ${prefillKeys.join(', ')} configure${prefillKeys.length === 1 ? 's' : ''} the prefill fleet, but with decodeEndpointUrl ` +
          'the CS-3 takes the whole prompt (prompt replay) and no prefill fleet is built. Drop them, or drop decodeEndpointUrl for Trainium prefill and decode.',
      );
    }
    return { network, decode: DecodeBackend.cs3Url(context.decodeEndpointUrl, { servedModelName: context.decodeModelName }), invocation };
  }
  return {
    network,
    prefill: {
      instanceType: context.prefillInstanceType ? new ec2.InstanceType(context.prefillInstanceType) : undefined,
      minCapacity: context.prefillMinCapacity,
      maxCapacity: context.prefillMaxCapacity,
      purchaseOption:
        context.capacityBlockReservationId !== undefined ? PurchaseOption.capacityBlock(context.capacityBlockReservationId) : undefined,
    },
    invocation,
  };
}

/**
 * The app `cdk synth` runs: the default stack ({@link buildDefaultStack}) and the controls
 * (cdk-nag's AwsSolutions pack and AWS Control Tower's proactive controls) on every synth.
 */
export function buildDefaultApp(app: App): DefaultApp {
  const built = buildDefaultStack(app);
  addControls(app);
  return built;
}

/**
 * The default app's stack: `DisaggregatedInference` configured from context, its outputs, and
 * the stack's account and region from CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION when both are set
 * (environment-agnostic otherwise). The integ test deploys it as is.
 */
export function buildDefaultStack(app: App, options: DefaultStackOptions = {}): DefaultApp {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const props = defaultInferenceProps(readDefaultAppContext(app));
  const stack = new Stack(app, DEFAULT_STACK_NAME, {
    stackName: options.stackName,
    env: account && region ? { account, region } : undefined,
    description: props.mode?.isMock
      ? 'Disaggregated LLM inference, mock mode: the Bedrock-style API in front of mock workers in Lambda'
      : 'Disaggregated LLM inference: Trainium prefill, decode endpoint, EFA network, Nitro isolation, Bedrock-style API',
  });
  const inference = new DisaggregatedInference(stack, 'Inference', props);
  const invocation = inference.invocation;
  if (invocation) {
    new CfnOutput(stack, 'ApiUrl', {
      value: invocation.apiUrl,
      description: 'Bedrock Runtime-compatible endpoint (IAM auth, SigV4 service execute-api): the client\'s `endpoint`',
    });
  }
  if (invocation?.apiKeyUrl && invocation.apiKeyAuthorizer) {
    new CfnOutput(stack, 'ApiKeyUrl', {
      value: invocation.apiKeyUrl,
      description: 'The same endpoint for Bedrock-style API keys (Authorization: Bearer, AWS_BEARER_TOKEN_BEDROCK)',
    });
    new CfnOutput(stack, 'ApiKeyTableName', {
      value: invocation.apiKeyAuthorizer.table.tableName,
      description: 'The table of API key hashes: npm run api-key -- create --table <this>',
    });
  }
  acknowledgePendingFleetNetworkFindings(inference);
  return { stack, inference };
}
