import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { Cs3DecodeEndpoint, Cs3PrivateLinkOptions, DecodeKvCapability, IDecodeEndpoint, TrainiumDecodeFleet } from './decode';
import { ModelSource, PurchaseOption, TrainiumServerFleetProps } from './fleet';
import {
  BedrockInvocationLayer,
  BedrockInvocationLayerProps,
  IPrefillEndpoint,
  MockInferenceWorkers,
} from './invocation';
import { InferenceMode } from './inference-mode';
import { NitroIsolation, NitroIsolationProps } from './isolation';
import { EfaNetwork, EfaNetworkProps } from './network';
import { TrainiumPrefillFleet } from './prefill';

/** Fleet settings without the network and model, which the composition supplies. */
export type FleetOptions = Omit<TrainiumServerFleetProps, 'network' | 'model'>;

/** Where decode runs. A CS-3 when `url` or `privateLink` is given; otherwise a Trainium decode fleet. */
export interface DecodeOptions {
  /**
   * https base URL of a CS-3 (OpenAI-compatible) endpoint.
   * @default - none
   */
  readonly url?: string;
  /**
   * A CS-3 offered as a PrivateLink endpoint service; the interface endpoint goes in the EFA subnet.
   * @default - none
   */
  readonly privateLink?: Omit<Cs3PrivateLinkOptions, 'network'>;
  /**
   * The model name the CS-3 endpoint serves.
   * @default - the prefill fleet's served model name
   */
  readonly servedModelName?: string;
  /**
   * The CS-3 endpoint's API key.
   * @default - a new secret to put the key in
   */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /**
   * Whether the CS-3 endpoint can pull KV blocks.
   * @default DecodeKvCapability.PROMPT_REPLAY
   */
  readonly kvCapability?: DecodeKvCapability;
  /**
   * Settings of the Trainium decode fleet, used when no CS-3 is given.
   * @default - trn2.48xlarge, one to two instances, on demand
   */
  readonly trainium?: FleetOptions;
}

/** Properties of {@link DisaggregatedInference}. */
export interface DisaggregatedInferenceProps {
  /**
   * The EFA network to create (a new VPC, or your own `vpc` with a subnet or zone).
   * @default - a new VPC in one Availability Zone
   */
  readonly network?: EfaNetworkProps;
  /**
   * The model served by prefill (and by a Trainium decode fleet).
   * @default - Llama 3.3 70B Instruct from Hugging Face, with a new secret for the Hugging Face token
   */
  readonly model?: ModelSource;
  /**
   * The prefill fleet.
   * @default - trn2.48xlarge, one to two instances, on demand
   */
  readonly prefill?: FleetOptions;
  /**
   * The decode endpoint, built here.
   * @default - a Trainium decode fleet (CS-3 capacity cannot be created by CloudFormation)
   */
  readonly decode?: DecodeOptions;
  /**
   * A decode endpoint built elsewhere; takes precedence over `decode`.
   * @default - built from `decode`
   */
  readonly decodeEndpoint?: IDecodeEndpoint;
  /**
   * Whether to apply Nitro isolation over every instance of the composition.
   * @default true
   */
  readonly isolate?: boolean;
  /**
   * Settings of the Nitro isolation, when `isolate` is true.
   * @default - NitroIsolation with its defaults (checks only, no enclaves or Dedicated Hosts)
   */
  readonly isolation?: NitroIsolationProps;
  /**
   * Whether to put the IAM-authenticated, Bedrock Runtime-compatible API in front of prefill and decode.
   * @default true
   */
  readonly serveApi?: boolean;
  /**
   * Settings of the API, when `serveApi` is true.
   * @default - a regional API with the invocation layer's defaults
   */
  readonly invocation?: InvocationOptions;
  /**
   * What runs behind the API: Trainium and a decode endpoint, or the mock workers in Lambda
   * (`InferenceMode.mock()`), for exercising the same API in any account.
   * @default InferenceMode.TRAINIUM
   */
  readonly mode?: InferenceMode;
}

/** Settings of the Bedrock-style API; the composition supplies the tiers and the network. */
export type InvocationOptions = Omit<BedrockInvocationLayerProps, 'prefill' | 'decode' | 'vpc' | 'vpcSubnets' | 'secretsManagerEndpoint'>;

/** Default model: the Llama generation Bedrock and Cerebras both serve. */
export const DEFAULT_HUGGING_FACE_MODEL = 'meta-llama/Llama-3.3-70B-Instruct';

/**
 * Disaggregated LLM inference in one `new`: an EFA network, a Trainium prefill fleet, a decode
 * endpoint (a CS-3 when you give one, else a Trainium decode fleet), Nitro isolation, and the
 * Bedrock-style API in front. With `InferenceMode.mock()`, the same API in front of mock workers in Lambda.
 */
export class DisaggregatedInference extends Construct {
  /** The EFA network (absent in mock mode). */
  public readonly network?: EfaNetwork;
  /** The Trainium prefill fleet (absent in mock mode). */
  public readonly prefillFleet?: TrainiumPrefillFleet;
  /** Where the router sends prompts: the prefill fleet, or the mock prefill worker. */
  public readonly prefillEndpoint: IPrefillEndpoint;
  public readonly decodeEndpoint: IDecodeEndpoint;
  /** The model source prefill serves (absent in mock mode). */
  public readonly model?: ModelSource;
  /** The Bedrock-style API, unless disabled. */
  public readonly invocation?: BedrockInvocationLayer;
  /** The mock workers, in mock mode. */
  public readonly mockWorkers?: MockInferenceWorkers;
  /** The Hugging Face token secret created for the default model, if one was. */
  public readonly huggingFaceTokenSecret?: secretsmanager.Secret;
  /** The isolation aspect applied, unless disabled. */
  public readonly isolation?: NitroIsolation;

  constructor(scope: Construct, id: string, props: DisaggregatedInferenceProps = {}) {
    super(scope, id);
    const mode = props.mode ?? InferenceMode.TRAINIUM;
    if (mode.mockWorkers) {
      this.mockWorkers = new MockInferenceWorkers(this, 'Mock', mode.mockWorkers);
      this.prefillEndpoint = this.mockWorkers.prefill;
      this.decodeEndpoint = this.mockWorkers.decode;
      this.invocation = this.createInvocationLayer(props);
      return;
    }
    let model = props.model;
    if (!model) {
      this.huggingFaceTokenSecret = this.createHuggingFaceTokenSecret();
      model = ModelSource.huggingFace(DEFAULT_HUGGING_FACE_MODEL, { tokenSecret: this.huggingFaceTokenSecret });
    }
    const network = new EfaNetwork(this, 'Network', {
      placementGroup: this.needsPlacementGroup(props),
      ...props.network,
    });
    // The isolation's volume key goes to the fleets too: a fleet given a key lets the Auto Scaling
    // service-linked role use it, without which instances on a customer-managed key fail to launch.
    const isolate = props.isolate ?? true;
    const volumeKey = isolate ? props.isolation?.volumeKey : undefined;
    const prefillFleet = new TrainiumPrefillFleet(this, 'Prefill', { ...props.prefill, volumeKey: props.prefill?.volumeKey ?? volumeKey, network, model });
    this.model = model;
    this.network = network;
    this.prefillFleet = prefillFleet;
    this.prefillEndpoint = prefillFleet;
    this.decodeEndpoint =
      props.decodeEndpoint ?? this.createDecodeEndpoint(props.decode ?? {}, network, model, prefillFleet, volumeKey);
    if (isolate) {
      this.isolation = NitroIsolation.applyTo(this, props.isolation ?? {});
    }
    this.invocation = this.createInvocationLayer(props, network);
  }

  /** The API in front of whichever tiers were built; in a network, the router runs in its VPC. */
  private createInvocationLayer(props: DisaggregatedInferenceProps, network?: EfaNetwork) {
    if (props.serveApi === false) return undefined;
    const userVpc = props.network?.vpc !== undefined;
    return new BedrockInvocationLayer(this, 'Invocation', {
      ...props.invocation,
      prefill: this.prefillEndpoint,
      decode: this.decodeEndpoint,
      vpc: network?.vpc,
      secretsManagerEndpoint: network ? this.secretsManagerRoute(network, userVpc) : undefined,
    });
  }

  /**
   * Where the router reaches Secrets Manager: the network's interface endpoint; without one, in a
   * VPC this construct created (so no endpoint exists), the public endpoint through the NAT gateway.
   * In your own VPC the layer's default applies (an endpoint answering inside the VPC's range).
   */
  private secretsManagerRoute(network: EfaNetwork, userVpc: boolean): ec2.IConnectable | undefined {
    return network.interfaceEndpoints.secretsmanager ?? (userVpc ? undefined : ec2.Peer.anyIpv4());
  }

  /** A cluster placement group only when some Trainium fleet here launches outside a Capacity Block. */
  private needsPlacementGroup(props: DisaggregatedInferenceProps): boolean {
    const usesGroup = (options?: FleetOptions) => (options?.purchaseOption ?? PurchaseOption.onDemand()).usesPlacementGroup;
    const trainiumDecode = !props.decodeEndpoint && !isCs3(props.decode);
    return usesGroup(props.prefill) || (trainiumDecode && usesGroup(props.decode?.trainium));
  }

  private createDecodeEndpoint(
    decode: DecodeOptions,
    network: EfaNetwork,
    model: ModelSource,
    prefillFleet: TrainiumPrefillFleet,
    volumeKey: kms.IKey | undefined,
  ): IDecodeEndpoint {
    if (isCs3(decode)) {
      return new Cs3DecodeEndpoint(this, 'Decode', {
        url: decode.url,
        privateLink: decode.privateLink ? { ...decode.privateLink, network } : undefined,
        servedModelName: decode.servedModelName ?? prefillFleet.servedModelName,
        apiKeySecret: decode.apiKeySecret,
        kvCapability: decode.kvCapability,
      });
    }
    return new TrainiumDecodeFleet(this, 'Decode', { ...decode.trainium, volumeKey: decode.trainium?.volumeKey ?? volumeKey, network, model });
  }

  private createHuggingFaceTokenSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'HuggingFaceToken', {
      description: `Hugging Face access token for ${DEFAULT_HUGGING_FACE_MODEL} (gated): replace this value with your token`,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The value is a Hugging Face access token issued by huggingface.co; Secrets Manager cannot rotate it. Rotate it there and update the secret.',
    });
    return secret;
  }
}

function isCs3(decode?: DecodeOptions): boolean {
  return decode?.url !== undefined || decode?.privateLink !== undefined;
}
