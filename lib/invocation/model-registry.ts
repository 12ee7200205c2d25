import type { Duration, Stack } from 'aws-cdk-lib';
import type { DecodeRouteConfig, ModelRouteConfig, RegistryConfig, StageTimeoutsConfig, WorkerDiscoveryConfig } from '../runtime/routing/registry-config';
import { clientModelIds, getModelSpec } from '../hardware';
import type { IDecodeEndpoint } from '../decode';
import type { IServerFleet } from '../fleet';
import type { IPrefillEndpoint } from '../prefill';
import type { ServedModelOptions, StageTimeouts } from './served-model';

/** The tiers a model is served by. */
export interface ServingTiers {
  /** The prefill tier; none when every decode tier takes the whole prompt (prompt replay). */
  readonly prefill?: IPrefillEndpoint;
  /** The standard latency tier. */
  readonly decode: IDecodeEndpoint;
  /** The optimized latency tier (`performanceConfig.latency: optimized`), if any. */
  readonly optimizedDecode?: IDecodeEndpoint;
}

/**
 * Derives the router's registry from the constructs, so the deployed router is configured with the
 * addresses and capabilities CloudFormation actually created. It holds no secret, only the ARN.
 * The catalog's ids include the foundation-model ARN in `stack`'s region and partition.
 */
export function deriveModelRegistry(stack: Stack, tiers: ServingTiers, options: ServedModelOptions = {}): RegistryConfig {
  const { prefill, decode, optimizedDecode } = tiers;
  const decodeTiers = [decode, ...(optimizedDecode ? [optimizedDecode] : [])];
  if (!prefill) {
    const ingesting = decodeTiers.find((tier) => tier.kvCapability.canIngestKv);
    if (ingesting) {
      throw new Error(
        `BedrockInvocationLayer: decode endpoint '${ingesting.node.path}' pulls KV blocks (${ingesting.kvCapability}), ` +
          'but there is no prefill tier to pull them from. Give `prefill`, or a decode endpoint that takes the whole prompt (DecodeKvCapability.PROMPT_REPLAY).',
      );
    }
  }
  const catalogName = options.model ?? prefill?.servedModelName ?? decode.servedModelName;
  const needsCatalog =
    options.modelIds === undefined || options.contextWindow === undefined || options.maxOutputTokens === undefined;
  const source = options.model !== undefined ? 'model' : prefill ? "the prefill tier's served model name" : "the decode tier's served model name";
  const spec = needsCatalog ? lookUpModel(catalogName, source) : undefined;

  const modelIds = options.modelIds ?? clientModelIds(spec!, stack.region, stack.partition);
  if (modelIds.length === 0) {
    throw new Error('BedrockInvocationLayer: `modelIds` is empty; give at least one id clients call the model by.');
  }
  const route: ModelRouteConfig = {
    modelIds: [...modelIds],
    // The load balancer: the fallback address when discovery finds no healthy host.
    prefillUrls: prefill ? [prefill.endpointUrl] : [],
    ...discoveryOf('prefillDiscovery', prefill?.fleet),
    // Without prefill workers nothing is sent under this name; the decode tier's is the one that exists.
    prefillModel: (prefill ?? decode).servedModelName,
    decode: decodeRoute(decode),
    ...(optimizedDecode ? { optimizedDecode: decodeRoute(optimizedDecode) } : {}),
    // The servers refuse a longer sequence with an error of their own; bounded here, the router
    // answers a ValidationException naming the window and fits maxTokens into it instead. Every
    // tier's limit counts: a request the optimized tier cannot take falls back to the standard one.
    contextWindow:
      options.contextWindow ??
      Math.min(
        spec!.contextWindow,
        ...[prefill?.maxModelLength, ...decodeTiers.map((tier) => tier.maxModelLength)].filter((n): n is number => n !== undefined),
      ),
    maxOutputTokens: options.maxOutputTokens ?? spec!.maxOutputTokens,
    ...(options.timeouts ? { timeouts: stageTimeoutsMs(options.timeouts) } : {}),
    ...(options.disaggregationThreshold !== undefined ? { disaggregationThreshold: checkedThreshold(options.disaggregationThreshold) } : {}),
  };
  return { models: [route] };
}

/** Where a decode tier is and what it can do, as the router reads it. */
function decodeRoute(endpoint: IDecodeEndpoint): DecodeRouteConfig {
  return {
    url: endpoint.endpointUrl,
    model: endpoint.servedModelName,
    canIngestKv: endpoint.kvCapability.canIngestKv,
    ...discoveryOf('discovery', endpoint.fleet),
    ...(endpoint.apiKeySecret ? { apiKey: { secretArn: endpoint.apiKeySecret.secretArn } } : {}),
    ...(endpoint.maxStopSequences !== undefined ? { maxStopSequences: endpoint.maxStopSequences } : {}),
  };
}

/** What the deployed router discovers a fleet's hosts by (its target group and server port), under `key`. */
function discoveryOf<K extends string>(key: K, fleet: IServerFleet | undefined): { [key in K]?: WorkerDiscoveryConfig } {
  const hosts = fleet?.hosts;
  return hosts ? ({ [key]: { targetGroupArn: hosts.targetGroupArn, port: hosts.port } } as { [key in K]: WorkerDiscoveryConfig }) : {};
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

function checkedThreshold(threshold: number): number {
  if (!(Number.isInteger(threshold) && threshold >= 0)) {
    throw new Error(`BedrockInvocationLayer: disaggregationThreshold must be a whole number of tokens, 0 or more; got ${threshold}.`);
  }
  return threshold;
}

function lookUpModel(name: string, source: string) {
  try {
    return getModelSpec(name);
  } catch (e) {
    throw new Error(
      `BedrockInvocationLayer: ${source} '${name}' is not in the model catalog (${(e as Error).message}). ` +
        'Pass `model` with a catalog name, or give `modelIds`, `contextWindow` and `maxOutputTokens` yourself.',
    );
  }
}
