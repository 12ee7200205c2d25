import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { PurchaseOption, type IModelArtifactCache, type ModelSource, type TrainiumFleetOptions } from '../fleet';
import type { IEfaNetwork } from '../network';
import { Cs3Connection, type Cs3PrivateLinkOptions } from './cs3-connection';
import { Cs3DecodeEndpoint, type Cs3DecodeOptions } from './cs3-decode-endpoint';
import type { IDecodeEndpoint } from './decode-endpoint';
import { DecodeKvCapability } from './decode-kv-capability';
import { TrainiumDecodeFleet } from './trainium-decode-fleet';

/** What `DisaggregatedInference` gives a {@link DecodeBackend} to build its endpoint with. */
export interface DecodeBackendBindOptions {
  /** The EFA network the prefill fleet runs in. */
  readonly network: IEfaNetwork;
  /**
   * The model the Trainium fleets load.
   * @default - none: the composition builds no Trainium fleet
   */
  readonly model?: ModelSource;
  /**
   * The name the model is served under (the prefill fleet's, when there is one), the default
   * `model` of a CS-3.
   */
  readonly defaultServedModelName: string;
  /**
   * The isolation's volume key, for a decode fleet that names none.
   * @default - the fleet's own `volumeKey`, or the AWS-managed EBS key
   */
  readonly volumeKey?: kms.IKey;
  /**
   * The artifact cache the prefill fleet uses, for a decode fleet that names none.
   * @default - the fleet's own `artifactCache`, or a new one
   */
  readonly artifactCache?: IModelArtifactCache;
}

/**
 * Where `DisaggregatedInference` runs decode: a Trainium decode fleet (the default: CS-3 capacity
 * cannot be created by CloudFormation), a CS-3 by URL or PrivateLink, or an endpoint built elsewhere.
 */
export abstract class DecodeBackend {
  /** A Trainium decode fleet in the EFA network, pulling each prompt's KV blocks from prefill. */
  public static trainiumFleet(options: TrainiumFleetOptions = {}): DecodeBackend {
    return new TrainiumFleetBackend(options);
  }

  /** A CS-3 at an https base URL (its OpenAI-compatible API). */
  public static cs3Url(url: string, options: Cs3DecodeOptions = {}): DecodeBackend {
    return new Cs3Backend(() => Cs3Connection.url(url), options);
  }

  /** A CS-3 offered as a PrivateLink endpoint service; the interface endpoint goes in the EFA subnet. */
  public static cs3PrivateLink(privateLink: Cs3PrivateLinkOptions, options: Cs3DecodeOptions = {}): DecodeBackend {
    return new Cs3Backend((network) => Cs3Connection.privateLink(network, privateLink), options);
  }

  /** A decode endpoint built elsewhere (e.g. `DecodeEndpoint.fromDecodeEndpointAttributes`). */
  public static fromEndpoint(endpoint: IDecodeEndpoint): DecodeBackend {
    return new ExistingBackend(endpoint);
  }

  /** Whether the backend launches instances into the network's cluster placement group. */
  public abstract readonly usesPlacementGroup: boolean;

  /**
   * Whether the endpoint pulls KV blocks from prefill or takes the whole prompt, known before it is
   * built: a composition whose every decode tier takes the whole prompt builds no prefill fleet.
   */
  public abstract readonly kvCapability: DecodeKvCapability;

  /** Builds (or returns) the decode endpoint, as construct `id` in `scope`. */
  public abstract bind(scope: Construct, id: string, options: DecodeBackendBindOptions): IDecodeEndpoint;
}

class TrainiumFleetBackend extends DecodeBackend {
  public readonly usesPlacementGroup: boolean;
  public readonly kvCapability = DecodeKvCapability.NIXL_PULL;

  constructor(private readonly options: TrainiumFleetOptions) {
    super();
    this.usesPlacementGroup = (options.purchaseOption ?? PurchaseOption.onDemand()).usesPlacementGroup;
  }

  public bind(scope: Construct, id: string, options: DecodeBackendBindOptions): IDecodeEndpoint {
    if (!options.model) {
      throw new Error(`DecodeBackend.trainiumFleet() at '${scope.node.path}/${id}' needs the model it serves; bind it with \`model\`.`);
    }
    return new TrainiumDecodeFleet(scope, id, {
      ...this.options,
      volumeKey: this.options.volumeKey ?? options.volumeKey,
      artifactCache: this.options.artifactCache ?? options.artifactCache,
      network: options.network,
      model: options.model,
    });
  }
}

class Cs3Backend extends DecodeBackend {
  public readonly usesPlacementGroup = false;
  public readonly kvCapability: DecodeKvCapability;

  constructor(
    private readonly connection: (network: IEfaNetwork) => Cs3Connection,
    private readonly options: Cs3DecodeOptions,
  ) {
    super();
    this.kvCapability = options.kvCapability ?? DecodeKvCapability.PROMPT_REPLAY;
  }

  public bind(scope: Construct, id: string, options: DecodeBackendBindOptions): IDecodeEndpoint {
    return new Cs3DecodeEndpoint(scope, id, {
      ...this.options,
      connection: this.connection(options.network),
      servedModelName: this.options.servedModelName ?? options.defaultServedModelName,
    });
  }
}

class ExistingBackend extends DecodeBackend {
  public readonly usesPlacementGroup = false;
  public readonly kvCapability: DecodeKvCapability;

  constructor(private readonly endpoint: IDecodeEndpoint) {
    super();
    this.kvCapability = endpoint.kvCapability;
  }

  public bind(): IDecodeEndpoint {
    return this.endpoint;
  }
}
