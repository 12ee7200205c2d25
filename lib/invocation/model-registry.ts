import type { Duration, Stack } from 'aws-cdk-lib';
import type { ModelRouteConfig, RegistryConfig, StageTimeoutsConfig } from '../runtime/routing/registry-config';
import { clientModelIds, getModelSpec } from '../hardware';
import type { IDecodeEndpoint } from '../decode';
import type { IPrefillEndpoint } from '../prefill';
import type { ServedModelOptions, StageTimeouts } from './served-model';

/**
 * Derives the router's registry from the constructs, so the deployed router is configured with the
 * addresses and capabilities CloudFormation actually created. It holds no secret, only the ARN.
 * The catalog's ids include the foundation-model ARN in `stack`'s region and partition.
 */
export function deriveModelRegistry(
  stack: Stack,
  prefill: IPrefillEndpoint,
  decode: IDecodeEndpoint,
  options: ServedModelOptions = {},
): RegistryConfig {
  const catalogName = options.model ?? prefill.servedModelName;
  const needsCatalog =
    options.modelIds === undefined || options.contextWindow === undefined || options.maxOutputTokens === undefined;
  const spec = needsCatalog ? lookUpModel(catalogName, options.model === undefined) : undefined;

  const modelIds = options.modelIds ?? clientModelIds(spec!, stack.region, stack.partition);
  if (modelIds.length === 0) {
    throw new Error('BedrockInvocationLayer: `modelIds` is empty; give at least one id clients call the model by.');
  }
  const route: ModelRouteConfig = {
    modelIds: [...modelIds],
    prefillUrls: [prefill.endpointUrl],
    prefillModel: prefill.servedModelName,
    decode: {
      url: decode.endpointUrl,
      model: decode.servedModelName,
      canIngestKv: decode.kvCapability.canIngestKv,
      ...(decode.apiKeySecret ? { apiKey: { secretArn: decode.apiKeySecret.secretArn } } : {}),
    },
    // The servers refuse a longer sequence with an error of their own; bounded here, the router
    // answers a ValidationException naming the window and fits maxTokens into it instead.
    contextWindow:
      options.contextWindow ??
      Math.min(spec!.contextWindow, ...[prefill.maxModelLength, decode.maxModelLength].filter((n): n is number => n !== undefined)),
    maxOutputTokens: options.maxOutputTokens ?? spec!.maxOutputTokens,
    ...(options.timeouts ? { timeouts: stageTimeoutsMs(options.timeouts) } : {}),
  };
  return { models: [route] };
}

/** The router's limits in milliseconds, from the construct-side durations. */
function stageTimeoutsMs(timeouts: StageTimeouts): StageTimeoutsConfig {
  const ms = (d?: Duration) => d?.toMilliseconds();
  return {
    prefillMs: ms(timeouts.prefill),
    firstTokenMs: ms(timeouts.firstToken),
    interTokenMs: ms(timeouts.interToken),
    totalMs: ms(timeouts.total),
  };
}

function lookUpModel(name: string, fromServedModelName: boolean) {
  try {
    return getModelSpec(name);
  } catch (e) {
    const source = fromServedModelName ? `the prefill tier's served model name '${name}'` : `model '${name}'`;
    throw new Error(
      `BedrockInvocationLayer: ${source} is not in the model catalog (${(e as Error).message}). ` +
        'Pass `model` with a catalog name, or give `modelIds`, `contextWindow` and `maxOutputTokens` yourself.',
    );
  }
}
