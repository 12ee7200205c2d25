import type { Duration, Size } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IEfaNetwork } from '../network';
import type { IModelArtifactCache } from './model-artifact-cache';
import type { ModelSource } from './model-source';
import type { PurchaseOption } from './purchase-option';
import type { VllmTimeLimitOptions } from './vllm-time-limits';

/**
 * Settings of a Trainium fleet (prefill or decode) other than its network and model, which
 * `DisaggregatedInference` supplies to the fleets it builds.
 */
export interface TrainiumFleetOptions extends VllmTimeLimitOptions {
  /**
   * The instance type: a Trainium type with EFA on which the default image's vLLM (vllm-neuron)
   * runs disaggregated inference, i.e. Trn2 (trn2.3xlarge, trn2.48xlarge, trn2u.48xlarge); trn1 and
   * trn1n are refused.
   * @default trn2.48xlarge
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Fewest instances.
   * @default 1
   */
  readonly minCapacity?: number;
  /**
   * Most instances.
   * @default - the larger of `minCapacity` and 2
   */
  readonly maxCapacity?: number;
  /**
   * Instances at deploy time.
   * @default - `minCapacity`
   */
  readonly desiredCapacity?: number;
  /**
   * How the instances are bought.
   * @default PurchaseOption.onDemand()
   */
  readonly purchaseOption?: PurchaseOption;
  /**
   * The `model` name the server answers to.
   * @default - the Hugging Face id, or the last segment of the S3 prefix
   */
  readonly servedModelName?: string;
  /**
   * vLLM tensor-parallel degree. Must divide the type's logical NeuronCores (at the default logical
   * NeuronCore configuration: 64 on trn2.48xlarge, 4 on trn2.3xlarge).
   * @default - all logical NeuronCores of the type
   */
  readonly tensorParallelDegree?: number;
  /**
   * Longest sequence (prompt plus output) the server accepts. Neuron compiles graphs per sequence
   * bucket, so longer limits lengthen start-up and take device memory.
   * @default 8192
   */
  readonly maxModelLength?: number;
  /**
   * Port of the OpenAI-compatible server and of the load balancer listener.
   * @default 8000
   */
  readonly port?: number;
  /**
   * Extra `vllm serve` arguments, appended as given.
   * @default - none
   */
  readonly vllmExtraArgs?: string[];
  /**
   * The machine image. It must carry the Neuron driver, EFA and a vLLM virtual environment under
   * `/opt/aws_neuronx_venv_*vllm*`, as the Neuron DLAMIs do.
   * @default - the Neuron PyTorch Inference vLLM DLAMI (Ubuntu 24.04; Trn2/Trn3), resolved from its
   * SSM parameter at each launch
   */
  readonly machineImage?: ec2.IMachineImage;
  /**
   * Where the first host stages the model weights it downloads and the Neuron artifacts it
   * compiles, for the hosts after it to load.
   * @default - a new `ModelArtifactCache` in the fleet (`DisaggregatedInference` shares one between its fleets)
   */
  readonly artifactCache?: IModelArtifactCache;
  /**
   * Retention of the fleet's log groups (vLLM, Neuron and boot logs; the agent's metric events).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Size of the (encrypted) root volume, which also holds the model weights and Neuron compile cache.
   * The Neuron docs ask for at least 512 GiB on Trainium.
   * @default Size.gibibytes(1024)
   */
  readonly rootVolumeSize?: Size;
  /**
   * Customer-managed KMS key for the volumes. Its key policy gains a statement for the Auto Scaling
   * service-linked role (`AWSServiceRoleForAutoScaling`), which must already exist in the account,
   * as it does once any Auto Scaling group was created there; otherwise create it first with
   * `aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com`. An imported
   * key's policy is not changed: grant that role its use yourself.
   * @default - the account's AWS-managed EBS key
   */
  readonly volumeKey?: kms.IKey;
  /**
   * How long a new instance may take before the load balancer health check counts: model download,
   * Neuron compilation and loading take tens of minutes on a 70B model.
   * @default Duration.minutes(60)
   */
  readonly healthCheckGracePeriod?: Duration;
  /**
   * Deletion protection on the fleet's load balancer (AWS Control Tower CT.ELASTICLOADBALANCING.PR.5).
   * While it is on, `cdk destroy` stops at the load balancer: turn it off first (set this to false
   * and deploy, or `aws elbv2 modify-load-balancer-attributes --attributes Key=deletion_protection.enabled,Value=false`).
   * @default true
   */
  readonly loadBalancerDeletionProtection?: boolean;
}

/** Properties shared by the Trainium prefill and decode fleets. */
export interface TrainiumServerFleetProps extends TrainiumFleetOptions {
  /** The EFA network the instances join (its subnet, security group and placement group). */
  readonly network: IEfaNetwork;
  /** Where the model weights come from. */
  readonly model: ModelSource;
}
