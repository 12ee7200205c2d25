import type { ModelRouteConfig, RegistryConfig, StageTimeoutsConfig } from '../runtime/routing/registry-config';
import { getModelSpec } from '../hardware';
import type { IDecodeEndpoint } from '../decode';
import type { IPrefillEndpoint } from './endpoints';

/** What the invocation layer serves: the model, the ids clients call it by, its limits. */
export interface ServedModelOptions {
  /**
   * The model, by any name the model catalog knows (catalog name, Hugging Face id or Bedrock id).
   * Supplies the ids, the context window and the output limit unless those are given below.
   *
   * @default - the prefill tier's served model name, looked up in the catalog
   */
  readonly model?: string;
  /**
   * The ids clients call the model by (foundation-model and inference-profile ids).
   *
   * @default - the catalog's Bedrock ids for the model
   */
  readonly modelIds?: string[];
  /**
   * Prompt plus output tokens the model accepts.
   *
   * @default - the catalog's context window for the model, or the prefill or decode servers'
   * `maxModelLength` where that is smaller
   */
  readonly contextWindow?: number;
  /**
   * Largest `maxTokens` a request may ask for.
   *
   * @default - the catalog's output limit for the model
   */
  readonly maxOutputTokens?: number;
  /**
   * Per-stage time limits of the router.
   *
   * @default - the router's defaults
   */
  readonly timeouts?: StageTimeoutsConfig;
}

/**
 * Derives the router's registry from the constructs, so the deployed router is configured with the
 * addresses and capabilities CloudFormation actually created. It holds no secret, only the ARN.
 */
export function deriveModelRegistry(
  prefill: IPrefillEndpoint,
  decode: IDecodeEndpoint,
  options: ServedModelOptions = {},
): RegistryConfig {
  const catalogName = options.model ?? prefill.servedModelName;
  const needsCatalog =
    options.modelIds === undefined || options.contextWindow === undefined || options.maxOutputTokens === undefined;
  const spec = needsCatalog ? lookUpModel(catalogName, options.model === undefined) : undefined;

  const modelIds = options.modelIds ?? spec!.bedrockModelIds;
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
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  };
  return { models: [route] };
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
