import { getInstanceTypeSpec, kvCacheBytes, ModelSpec } from '../hardware';
import { CS3_DEFAULT_MAX_STREAMS } from './timing/calibration';
import { Cs3Endpoint } from './timing/cs3-endpoint';
import type { ServingEngine } from './timing/serving-engine';
import { servingTiming, ServingTiming } from './timing/serving-timing';
import { TrainiumReplica } from './timing/trainium-replica';

/** How the prompt's KV reaches the decode engine. */
export class KvHandoff {
  /** The decode engine pulls the prefill worker's KV over EFA (vLLM's NIXL connector). */
  public static readonly PULL = new KvHandoff('pull');
  /** The decode engine cannot ingest KV: the router sends it the whole prompt, and the prefill fleet is not used. */
  public static readonly REPLAY = new KvHandoff('replay');

  public static of(name: string): KvHandoff {
    const found = [KvHandoff.PULL, KvHandoff.REPLAY].find((h) => h.name === name);
    if (!found) throw new Error(`Unknown KV hand-off '${name}': use 'pull' or 'replay'.`);
    return found;
  }

  private constructor(public readonly name: string) {}
}

/** The prefill tier: a Trainium instance type and the tensor-parallel degree of its server. */
export interface PrefillTier {
  readonly instanceType: string;
  /** @default all logical NeuronCores of the type */
  readonly tensorParallelDegree?: number;
}

/** The decode tier: a CS-3 endpoint or a Trainium decode fleet. */
export class DecodeTier {
  /** CS-3 endpoints, each serving at most `maxStreams` streams at the published speed (an assumption; see CS3_DEFAULT_MAX_STREAMS). */
  public static cs3(maxStreams: number = CS3_DEFAULT_MAX_STREAMS): DecodeTier {
    return new DecodeTier('CS-3', KvHandoff.REPLAY, (model) => new Cs3Endpoint(model, maxStreams));
  }

  /** A Trainium decode fleet of `instanceType`, one vLLM server of `tensorParallelDegree` per instance. */
  public static trainium(instanceType: string, tensorParallelDegree?: number): DecodeTier {
    const spec = getInstanceTypeSpec(instanceType);
    const degree = tensorParallelDegree ?? spec.logicalNeuronCores;
    return new DecodeTier(`${instanceType} (TP ${degree})`, KvHandoff.PULL, (model) => new TrainiumReplica(model, spec, degree), instanceType);
  }

  private constructor(
    /** For reports: `CS-3` or the instance type and degree. */
    public readonly name: string,
    /** What the construct does with this tier unless told otherwise (a CS-3 endpoint replays the prompt). */
    public readonly defaultKvHandoff: KvHandoff,
    private readonly engineFor: (model: ModelSpec) => ServingEngine,
    /** The EC2 instance type, for a Trainium tier (its price). */
    public readonly instanceType?: string,
  ) {}

  public engine(model: ModelSpec): ServingEngine {
    return this.engineFor(model);
  }
}

/** A deployment's shape, for timing: the model, both tiers and the KV hand-off between them. */
export interface ServingConfig {
  readonly model: ModelSpec;
  readonly prefill: PrefillTier;
  readonly decode: DecodeTier;
  readonly kvHandoff: KvHandoff;
}

/** The prefill tier's engine: one server on one instance. */
export function prefillReplica(config: Pick<ServingConfig, 'model' | 'prefill'>): TrainiumReplica {
  return new TrainiumReplica(config.model, getInstanceTypeSpec(config.prefill.instanceType), config.prefill.tensorParallelDegree);
}

/** The calibrated stage times of a configuration. */
export function timingOf(config: Pick<ServingConfig, 'model' | 'prefill' | 'decode'>): ServingTiming {
  return servingTiming(prefillReplica(config), config.decode.engine(config.model), (tokens) => kvCacheBytes(config.model, tokens));
}

/** Tokens of KV each tier's engine holds: what bounds a worker's prefix cache. */
export interface KvCapacity {
  readonly prefillTokens: number;
  readonly decodeTokens: number;
}

/**
 * The KV room of a configuration's engines (device memory less the weights, at the model's KV bytes
 * per token; `TrainiumReplica.kvCapacityTokens`). No public figure says where a CS-3 keeps KV, and the
 * timing rules bound it by streams alone; its room here is that many streams at the model's whole
 * context window, the most its batch can use.
 */
export function kvCapacity(config: Pick<ServingConfig, 'model' | 'prefill' | 'decode'>): KvCapacity {
  const limits = config.decode.engine(config.model).decodeLimits;
  const decodeTokens = Number.isFinite(limits.kvCapacityTokens) ? limits.kvCapacityTokens : limits.maxSequences * config.model.contextWindow;
  return { prefillTokens: prefillReplica(config).kvCapacityTokens, decodeTokens };
}
