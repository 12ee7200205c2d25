import { ModelRouteConfig, RegistryConfig, StageTimeoutsConfig } from './registry-config';

/** Stage limits used where the registry leaves them out. */
export const DEFAULT_TIMEOUTS: Required<StageTimeoutsConfig> = {
  prefillMs: 30_000,
  firstTokenMs: 30_000,
  interTokenMs: 15_000,
  totalMs: 300_000,
};

/** A registry entry with its defaults applied, keyed by the id the client used. */
export interface ModelRoute {
  readonly config: ModelRouteConfig;
  readonly timeouts: Required<StageTimeoutsConfig>;
}

/**
 * Looks model ids up in the registry. Ids arrive URL-encoded in one path segment; they are
 * matched after decoding, exactly (Bedrock ids are case-sensitive).
 */
export class ModelRegistry {
  private readonly routes = new Map<string, ModelRoute>();

  constructor(config: RegistryConfig) {
    for (const model of config.models) {
      if (model.prefillUrls.length === 0 && model.decode.canIngestKv) {
        throw new Error(
          `Model ${model.modelIds[0]} has no prefillUrls but its decode endpoint ingests KV: ` +
            'give it at least one prefill worker, or set decode.canIngestKv to false for prompt replay.',
        );
      }
      const route: ModelRoute = { config: model, timeouts: withDefaults(model.timeouts ?? {}) };
      for (const id of model.modelIds) {
        if (this.routes.has(id)) throw new Error(`Model id ${id} appears twice in the registry; each id must name one model.`);
        this.routes.set(id, route);
      }
    }
  }

  /** The route for a decoded model id, or undefined when the registry does not serve it. */
  public find(modelId: string): ModelRoute | undefined {
    return this.routes.get(modelId);
  }

  /** Every id the registry serves, in registry order. */
  public get modelIds(): string[] {
    return [...this.routes.keys()];
  }
}

/** Fills the limits a route leaves out (absent or undefined) with the defaults; refuses nonsense. */
function withDefaults(timeouts: StageTimeoutsConfig): Required<StageTimeoutsConfig> {
  const merged = { ...DEFAULT_TIMEOUTS };
  for (const [name, value] of Object.entries(timeouts) as Array<[keyof StageTimeoutsConfig, number | undefined]>) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`timeouts.${name} must be a positive number of milliseconds; got ${value}.`);
    merged[name] = value;
  }
  return merged;
}
