import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { InferenceWorkload, ServiceLevelObjective, TokenLengths } from '../capacity';
import { DecodeBackend } from '../decode';
import { DisaggregatedInferenceProps } from '../disaggregated-inference';
import { PurchaseOption } from '../fleet';
import { InferenceMode } from '../inference-mode';
import { ApiKeyAccess, InvocationApi } from '../invocation';
import { DefaultAppContext } from './default-app-context';

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

/** The context keys that configure the prefill fleet. */
const PREFILL_KEYS = ['prefillInstanceType', 'prefillMinCapacity', 'prefillMaxCapacity', ...CAPACITY_BLOCK_KEYS] as const;

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
  const invocation = InvocationApi.bedrockRuntime(context.apiKeys ? { apiKeys: ApiKeyAccess.bearer() } : {});
  if (context.mode !== undefined) {
    if (context.mode !== 'mock') {
      throw new Error(`Context mode='${context.mode}' is not a mode the app knows; pass -c mode=mock, or leave mode out for Trainium.`);
    }
    return { mode: InferenceMode.mock(), invocation, ...plan };
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
    return { network, decode: DecodeBackend.cs3Url(context.decodeEndpointUrl, { servedModelName: context.decodeModelName }), invocation, ...plan };
  }
  return {
    network,
    prefill: {
      instanceType: context.prefillInstanceType ? new ec2.InstanceType(context.prefillInstanceType) : undefined,
      minCapacity: context.prefillMinCapacity,
      maxCapacity: context.prefillMaxCapacity,
      purchaseOption: capacityBlockOption(context),
    },
    invocation,
    ...plan,
  };
}
