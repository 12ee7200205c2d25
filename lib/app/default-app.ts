import { App, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InferenceWorkload, ServiceLevelObjective, TokenLengths } from '../capacity';
import { DecodeBackend } from '../decode';
import { DisaggregatedInference, DisaggregatedInferenceProps } from '../disaggregated-inference';
import { PurchaseOption } from '../fleet';
import { InferenceMode } from '../inference-mode';
import { DefaultAppContext, readDefaultAppContext } from './default-app-context';

/** Name of the default app's stack. */
export const DEFAULT_STACK_NAME = 'DisaggregatedInference';

/** What {@link buildDefaultApp} built. */
export interface DefaultApp {
  readonly stack: Stack;
  readonly inference: DisaggregatedInference;
}

/** The capacity plan's workload and SLO from the context, when `requestsPerSecond` asks for one. */
function capacityPlanProps(context: DefaultAppContext): { workload?: InferenceWorkload; slo?: ServiceLevelObjective } {
  const { requestsPerSecond, sloTtftP90Ms, sloTpotP90Ms } = context;
  const sloGiven = sloTtftP90Ms !== undefined || sloTpotP90Ms !== undefined;
  if (requestsPerSecond === undefined) {
    const stray = (['inputTokens', 'outputTokens', 'prefixCacheHitRate', 'concurrency', 'sloTtftP90Ms', 'sloTpotP90Ms'] as const).filter((k) => context[k] !== undefined);
    if (stray.length > 0) {
      throw new Error(`Context ${stray.join(', ')} describe a capacity plan's workload or SLO, which needs -c requestsPerSecond=<rate> too.`);
    }
    return {};
  }
  if (!sloGiven) {
    throw new Error(`Context requestsPerSecond=${requestsPerSecond} asks for a capacity plan, which needs an SLO: pass -c sloTtftP90Ms=<ms>, -c sloTpotP90Ms=<ms> or both.`);
  }
  const lengths = (tokens?: number) => (tokens === undefined ? undefined : TokenLengths.exactly(tokens));
  return {
    workload: {
      requestsPerSecond,
      inputTokens: lengths(context.inputTokens),
      outputTokens: lengths(context.outputTokens),
      prefixCacheHitRate: context.prefixCacheHitRate,
      concurrency: context.concurrency,
    },
    slo: {
      timeToFirstToken: sloTtftP90Ms === undefined ? undefined : Duration.millis(sloTtftP90Ms),
      timePerOutputToken: sloTpotP90Ms === undefined ? undefined : Duration.millis(sloTpotP90Ms),
    },
  };
}

/** The composition's props from the default app's context. */
export function defaultInferenceProps(context: DefaultAppContext): DisaggregatedInferenceProps {
  const plan = capacityPlanProps(context);
  if (context.mode !== undefined) {
    if (context.mode !== 'mock') {
      throw new Error(`Context mode='${context.mode}' is not a mode the app knows; pass -c mode=mock, or leave mode out for Trainium.`);
    }
    return { mode: InferenceMode.mock(), ...plan };
  }
  if (context.decodeModelName !== undefined && context.decodeEndpointUrl === undefined) {
    throw new Error(
      `Context decodeModelName='${context.decodeModelName}' names the model of a CS-3 endpoint, but no decodeEndpointUrl ` +
        'was given, so decode would run on Trainium and ignore it. Pass -c decodeEndpointUrl=https://... too, or drop decodeModelName.',
    );
  }
  return {
    network: context.availabilityZone ? { availabilityZone: context.availabilityZone } : undefined,
    prefill: {
      instanceType: context.prefillInstanceType ? new ec2.InstanceType(context.prefillInstanceType) : undefined,
      minCapacity: context.prefillMinCapacity,
      maxCapacity: context.prefillMaxCapacity,
      purchaseOption: capacityBlockOption(context),
    },
    decode: context.decodeEndpointUrl !== undefined
      ? DecodeBackend.cs3Url(context.decodeEndpointUrl, { servedModelName: context.decodeModelName })
      : undefined,
    ...plan,
  };
}

/** The context keys that describe a Capacity Block; all or none of them. */
const CAPACITY_BLOCK_KEYS = ['capacityBlockReservationId', 'capacityBlockStart', 'capacityBlockEnd', 'capacityBlockInstanceCount'] as const;

/** Prefill on a Capacity Block when the context names one (all four keys), else the default. */
function capacityBlockOption(context: DefaultAppContext): PurchaseOption | undefined {
  const missing = CAPACITY_BLOCK_KEYS.filter((key) => context[key] === undefined);
  if (missing.length === CAPACITY_BLOCK_KEYS.length) return undefined;
  if (missing.length > 0) {
    const given = CAPACITY_BLOCK_KEYS.filter((key) => !missing.includes(key));
    throw new Error(
      `Context ${given.join(', ')} ${given.length === 1 ? 'describes' : 'describe'} a Capacity Block, but ` +
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. Pass all four, e.g. -c capacityBlockReservationId=cr-0123456789abcdef0 ` +
        '-c capacityBlockStart=2026-08-05T11:30:00Z -c capacityBlockEnd=2026-08-07T11:30:00Z -c capacityBlockInstanceCount=2.',
    );
  }
  return PurchaseOption.capacityBlock({
    reservationId: context.capacityBlockReservationId!,
    startTime: context.capacityBlockStart!,
    endTime: context.capacityBlockEnd!,
    instanceCount: context.capacityBlockInstanceCount!,
  });
}

/**
 * The app `cdk synth` runs: one stack with `DisaggregatedInference` configured from context, cdk-nag's
 * AwsSolutions checks on every synth, and the stack's account and region from CDK_DEFAULT_ACCOUNT /
 * CDK_DEFAULT_REGION when both are set (environment-agnostic otherwise).
 */
export function buildDefaultApp(app: App): DefaultApp {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const props = defaultInferenceProps(readDefaultAppContext(app));
  const stack = new Stack(app, DEFAULT_STACK_NAME, {
    env: account && region ? { account, region } : undefined,
    description: props.mode?.isMock
      ? 'Disaggregated LLM inference, mock mode: the Bedrock-style API in front of mock workers in Lambda'
      : 'Disaggregated LLM inference: Trainium prefill, decode endpoint, EFA network, Nitro isolation, Bedrock-style API',
  });
  const inference = new DisaggregatedInference(stack, 'Inference', props);
  if (inference.invocation) {
    new CfnOutput(stack, 'ApiUrl', {
      value: inference.invocation.apiUrl,
      description: 'Bedrock Runtime-compatible endpoint (IAM auth, SigV4 service execute-api): the client\'s `endpoint`',
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, inference };
}
