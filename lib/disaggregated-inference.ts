import { Annotations, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CapacityPlan, InferenceWorkload, ServiceLevelObjective } from './capacity';
import { DecodeBackend, IDecodeEndpoint } from './decode';
import { IModelArtifactCache, ModelArtifactCache, ModelSource, PurchaseOption, TrainiumFleetOptions, TrainiumServerFleet } from './fleet';
import { disaggregatedPairProblem } from './hardware';
import { BedrockInvocationLayer, InvocationApi, MockInferenceWorkers } from './invocation';
import { InferenceMode } from './inference-mode';
import { Isolation, NitroIsolation } from './isolation';
import { EfaNetwork, EfaNetworkProps } from './network';
import { IPrefillEndpoint, TrainiumPrefillFleet } from './prefill';

/** Properties of {@link DisaggregatedInference}. */
export interface DisaggregatedInferenceProps {
  /**
   * The EFA network to create (a new VPC, or your own `vpc` with a subnet or zone).
   * @default - a new VPC in one Availability Zone
   */
  readonly network?: EfaNetworkProps;
  /**
   * The model served by prefill (and by a Trainium decode fleet). Only for a composition that
   * builds a prefill fleet (see `prefill`).
   * @default - Llama 3.3 70B Instruct from Hugging Face, with a new secret for the Hugging Face token
   */
  readonly model?: ModelSource;
  /**
   * The prefill fleet. One is built when a decode tier pulls KV blocks from it (a Trainium decode
   * fleet, a CS-3 declared `DecodeKvCapability.NIXL_PULL`); when every decode tier takes the whole
   * prompt (a CS-3 in prompt replay) the router never calls prefill, and no fleet is built.
   * @default - trn2.48xlarge, one to two instances, on demand
   */
  readonly prefill?: TrainiumFleetOptions;
  /**
   * Where decode runs: the model's standard latency tier. A Trainium decode fleet, a CS-3 (by URL
   * or PrivateLink), or an endpoint built elsewhere.
   * @default DecodeBackend.trainiumFleet() - CS-3 capacity cannot be created by CloudFormation
   */
  readonly decode?: DecodeBackend;
  /**
   * The model's optimized latency tier, typically a CS-3: requests with Bedrock's
   * `performanceConfig: { latency: 'optimized' }` are served by it, and fall back to `decode` (the
   * standard tier) when it is throttled or unhealthy, as Bedrock does.
   * @default - none: every request is served by `decode`
   */
  readonly optimizedDecode?: DecodeBackend;
  /**
   * Whether and how the composition's instances are isolated.
   * @default Isolation.nitro() - NitroIsolation with its defaults (checks only, no enclaves or Dedicated Hosts)
   */
  readonly isolation?: Isolation;
  /**
   * The API in front of prefill and decode.
   * @default InvocationApi.bedrockRuntime() - a regional, IAM-authenticated API with the invocation layer's defaults
   */
  readonly invocation?: InvocationApi;
  /**
   * What runs behind the API: Trainium and a decode endpoint, or the mock workers in Lambda
   * (`InferenceMode.mock()`), for exercising the same API in any account.
   * @default InferenceMode.TRAINIUM
   */
  readonly mode?: InferenceMode;
  /**
   * Let a Trainium decode fleet run on another accelerator generation than the prefill fleet
   * (say Trn2 prefill and Trn3 decode), which the Neuron documentation does not describe.
   * @default false - fleets of different generations are a synth error
   */
  readonly allowMixedAcceleratorGenerations?: boolean;
  /**
   * Where the fleets stage the weights they download and the Neuron artifacts they compile, so
   * that later hosts load them from S3 (bring your own with `ModelArtifactCache.fromBucket`).
   * @default - a new `ModelArtifactCache` (`ArtifactCache`) shared by the prefill and decode fleets
   */
  readonly artifactCache?: IModelArtifactCache;
  /**
   * The traffic to size the fleets for. With an `slo`, the synth simulates the configured fleets at
   * their maximum capacities and adds the plan to the cloud assembly (see {@link CapacityPlan}).
   * @default - no capacity plan
   */
  readonly workload?: InferenceWorkload;
  /**
   * The latency targets the capacity plan judges the fleets by; needs a `workload`.
   * @default - no capacity plan
   */
  readonly slo?: ServiceLevelObjective;
}

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
  /** The Trainium prefill fleet (absent in mock mode and when every decode tier takes the whole prompt). */
  public readonly prefillFleet?: TrainiumPrefillFleet;
  /** Where the router sends prompts: the prefill fleet, or the mock prefill worker; absent without a prefill fleet. */
  public readonly prefillEndpoint?: IPrefillEndpoint;
  /** The standard latency tier. */
  public readonly decodeEndpoint: IDecodeEndpoint;
  /** The optimized latency tier, when `optimizedDecode` was given (outside mock mode). */
  public readonly optimizedDecodeEndpoint?: IDecodeEndpoint;
  /** The model source the fleets serve (absent in mock mode and without a prefill fleet). */
  public readonly model?: ModelSource;
  /** The Bedrock-style API, unless `InvocationApi.none()`. */
  public readonly invocation?: BedrockInvocationLayer;
  /** The mock workers, in mock mode. */
  public readonly mockWorkers?: MockInferenceWorkers;
  /** The Hugging Face token secret created for the default model, if one was. */
  public readonly huggingFaceTokenSecret?: secretsmanager.Secret;
  /** The isolation aspect applied, unless `Isolation.none()`. */
  public readonly isolation?: NitroIsolation;
  /** The capacity plan, when a `workload` and an `slo` were given. */
  public readonly capacityPlan?: CapacityPlan;

  constructor(scope: Construct, id: string, props: DisaggregatedInferenceProps = {}) {
    super(scope, id);
    if ((props.workload === undefined) !== (props.slo === undefined)) {
      throw new Error(
        `${this.node.path}: a capacity plan needs both a workload and an slo; ${props.workload ? 'add an slo' : 'add a workload'} or drop the other.`,
      );
    }
    const mode = props.mode ?? InferenceMode.TRAINIUM;
    if (mode.mockWorkers) {
      if (props.workload) Annotations.of(this).addInfo('No capacity plan in mock mode: the mock workers run in Lambda, not on the hardware a plan sizes.');
      this.mockWorkers = new MockInferenceWorkers(this, 'Mock', mode.mockWorkers);
      this.prefillEndpoint = this.mockWorkers.prefill;
      this.decodeEndpoint = this.mockWorkers.decode;
      this.invocation = this.createInvocationLayer(props);
      return;
    }
    const decode = props.decode ?? DecodeBackend.trainiumFleet();
    const decodeBackends = [decode, ...(props.optimizedDecode ? [props.optimizedDecode] : [])];
    // The router calls prefill only for a decode tier that pulls the prompt's KV blocks from it.
    const buildsPrefill = decodeBackends.some((backend) => backend.kvCapability.canIngestKv);
    if (!buildsPrefill) this.refuseFleetSettings(props);
    const prefillPurchase = props.prefill?.purchaseOption ?? PurchaseOption.onDemand();
    const usesPlacementGroup = (buildsPrefill && prefillPurchase.usesPlacementGroup) || decodeBackends.some((backend) => backend.usesPlacementGroup);
    // Without fleets the network is the router's: its VPC, NAT gateway and flow logs. The instances'
    // interface endpoints (SSM, ECR, ...) would serve nothing; the router reaches Secrets Manager through the NAT gateway.
    const network = new EfaNetwork(this, 'Network', {
      placementGroup: usesPlacementGroup,
      ...(buildsPrefill ? {} : { interfaceEndpoints: false }),
      ...props.network,
    });
    this.network = network;
    // The isolation's volume key goes to the fleets too: a fleet given a key lets the Auto Scaling
    // service-linked role use it, without which instances on a customer-managed key fail to launch.
    const isolation = (props.isolation ?? Isolation.nitro()).nitroIsolation;
    const volumeKey = isolation?.volumeKey;
    let defaultServedModelName = DEFAULT_HUGGING_FACE_MODEL;
    let model = props.model;
    let prefillFleet: TrainiumPrefillFleet | undefined;
    let artifactCache: IModelArtifactCache | undefined;
    if (buildsPrefill) {
      if (!model) {
        this.huggingFaceTokenSecret = this.createHuggingFaceTokenSecret();
        model = ModelSource.huggingFace(DEFAULT_HUGGING_FACE_MODEL, { tokenSecret: this.huggingFaceTokenSecret });
      }
      // One cache for both fleets: decode loads the weights prefill staged (the compiled entries differ by KV role).
      artifactCache = props.artifactCache ?? new ModelArtifactCache(this, 'ArtifactCache');
      prefillFleet = new TrainiumPrefillFleet(this, 'Prefill', {
        ...props.prefill,
        volumeKey: props.prefill?.volumeKey ?? volumeKey,
        artifactCache: props.prefill?.artifactCache ?? artifactCache,
        network,
        model,
      });
      this.model = model;
      this.prefillFleet = prefillFleet;
      this.prefillEndpoint = prefillFleet;
      defaultServedModelName = prefillFleet.servedModelName;
    }
    // Without a prefill fleet no tier is a Trainium fleet (it would pull KV), and a CS-3's name defaults to the default model's.
    const bindOptions = { network, model, defaultServedModelName, volumeKey, artifactCache };
    this.decodeEndpoint = decode.bind(this, 'Decode', bindOptions);
    this.optimizedDecodeEndpoint = props.optimizedDecode?.bind(this, 'OptimizedDecode', bindOptions);
    if (prefillFleet) {
      for (const tier of [this.decodeEndpoint, this.optimizedDecodeEndpoint]) {
        this.checkAcceleratorGenerations(prefillFleet, tier, props.allowMixedAcceleratorGenerations ?? false);
      }
    }
    if (props.workload && props.slo) {
      this.capacityPlan = new CapacityPlan(this, 'CapacityPlan', {
        prefill: prefillFleet,
        model: defaultServedModelName,
        decode: this.decodeEndpoint,
        workload: props.workload,
        slo: props.slo,
      });
    }
    if (isolation) {
      this.isolation = NitroIsolation.applyTo(this, isolation);
    }
    this.invocation = this.createInvocationLayer(props, network, buildsPrefill ? undefined : defaultServedModelName);
  }

  /** A Trainium decode fleet must be of the prefill fleet's accelerator generation unless the user allows otherwise. */
  private checkAcceleratorGenerations(prefillFleet: TrainiumPrefillFleet, tier: IDecodeEndpoint | undefined, allowMixed: boolean): void {
    if (!(tier instanceof TrainiumServerFleet)) return;
    const problem = disaggregatedPairProblem(prefillFleet.instanceTypeSpec, tier.instanceTypeSpec, allowMixed);
    if (problem) throw new Error(`DisaggregatedInference '${this.node.path}': ${problem}`);
  }

  /**
   * Without a prefill fleet, fleet settings would be silently dropped: refused, naming why none is built.
   */
  private refuseFleetSettings(props: DisaggregatedInferenceProps): void {
    const given = (['prefill', 'model'] as const).filter((name) => props[name] !== undefined);
    if (given.length === 0) return;
    throw new Error(
      `DisaggregatedInference '${this.node.path}': ${given.map((n) => `\`${n}\``).join(' and ')} ${given.length > 1 ? 'are' : 'is'} given, ` +
        'but every decode tier takes the whole prompt (prompt replay), so the router never calls prefill and no prefill fleet is built. ' +
        'Leave them out, or use a decode tier that pulls KV blocks (DecodeBackend.trainiumFleet(), or a CS-3 with kvCapability: DecodeKvCapability.NIXL_PULL).',
    );
  }

  /**
   * The API in front of whichever tiers were built; in a network, the router runs in its VPC across
   * its Availability Zones. Without a prefill tier, `servedModelName` names the catalog model.
   */
  private createInvocationLayer(props: DisaggregatedInferenceProps, network?: EfaNetwork, servedModelName?: string) {
    const options = (props.invocation ?? InvocationApi.bedrockRuntime()).options;
    if (!options) return undefined;
    const userVpc = props.network?.vpc !== undefined;
    return new BedrockInvocationLayer(this, 'Invocation', {
      ...options,
      model: options.model ?? servedModelName,
      prefill: this.prefillEndpoint,
      decode: this.decodeEndpoint,
      optimizedDecode: this.optimizedDecodeEndpoint,
      vpc: network?.vpc,
      // The network's private subnets across its zones: only the EFA fleets must share one zone.
      vpcSubnets: network?.serviceSubnets,
      secretsManagerEndpoint: network ? this.apiRoute(network, userVpc, 'secretsmanager')?.[0] : undefined,
      discoveryEndpoints: network ? this.apiRoute(network, userVpc, 'elasticloadbalancing', 'ec2') : undefined,
    });
  }

  /**
   * Where the router reaches AWS APIs (Secrets Manager for the decode API key; Elastic Load Balancing
   * and EC2 to discover the fleets' hosts): the network's interface endpoints for them; without
   * them, in a VPC this construct created, the public endpoints through the NAT gateway. In your own
   * VPC the layer's default applies (endpoints answering inside the VPC's range).
   */
  private apiRoute(network: EfaNetwork, userVpc: boolean, ...services: string[]): ec2.IConnectable[] | undefined {
    const endpoints = services.map((service) => network.interfaceEndpoints[service]);
    if (endpoints.every((endpoint) => endpoint !== undefined)) return endpoints;
    return userVpc ? undefined : [ec2.Peer.anyIpv4()];
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
