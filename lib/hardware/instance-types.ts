import { AcceleratorSpec, TRAINIUM1, TRAINIUM2 } from './accelerators';
import { EfaSupport } from './efa-support';

/**
 * One EC2 Trainium instance type as data (FACTS.md "Trainium instance types": the EC2
 * accelerated-computing and EFA pages and the Neuron docs).
 */
export interface InstanceTypeSpec {
  /** EC2 instance type name, e.g. `trn2.48xlarge`. */
  readonly name: string;
  readonly vcpus: number;
  /** Host memory in GiB. */
  readonly memoryGiB: number;
  /** The chip the type carries. */
  readonly accelerator: AcceleratorSpec;
  /** Number of accelerator chips. */
  readonly chips: number;
  /** Physical NeuronCores across all chips. */
  readonly neuronCores: number;
  /**
   * NeuronCores one logical core groups by default (Neuron "logical NeuronCore configuration"):
   * 1 on Trn1, 2 on Trn2. vLLM's tensor-parallel ranks map to logical cores.
   */
  readonly defaultLogicalNeuronCoreConfig: number;
  /** Logical NeuronCores at the default configuration: the natural tensor-parallel degree. */
  readonly logicalNeuronCores: number;
  /** Accelerator memory across all chips, in GiB. */
  readonly acceleratorMemoryGiB: number;
  /** Network cards of the type. Each takes at most one EFA or EFA-only interface. */
  readonly networkCards: number;
  /** Network interfaces the whole instance can hold (spread evenly over the cards). */
  readonly maxNetworkInterfaces: number;
  /** Aggregate network bandwidth in Gbit/s (the "up to" figure for burstable types). */
  readonly networkBandwidthGbps: number;
  readonly efa: EfaSupport;
  /**
   * Whether the software on the default image runs disaggregated prefill/decode on this type: the
   * Neuron vLLM DLAMI's vLLM is vllm-neuron, "Beta — Trn2/Trn3 only" (aws-neuron-sdk
   * `libraries/vllm-neuron/neuron-inference-overview.rst`; the DI tutorial: "DI is supported on Trn2
   * and Trn3"). On Trn1 and Inf2 disaggregated inference exists only in the legacy NxD Inference
   * vLLM fork, which Neuron 2.32 no longer ships in a DLAMI (`about-neuron/whats-new.rst`).
   */
  readonly disaggregatedInference: boolean;
  /** AWS Nitro System generation; every Trainium type is Nitro-based. */
  readonly nitroVersion: number;
  /** Whether AWS Nitro Enclaves can be enabled on the type. */
  readonly enclaves: boolean;
  /** Whether the type can run on EC2 Dedicated Hosts. */
  readonly dedicatedHosts: boolean;
  /**
   * KV-cache egress the type sustains over its fabric, in GB/s. See `kvTransferSource` for
   * whether the figure was measured or derived.
   */
  readonly kvTransferGBps: number;
  /** Where `kvTransferGBps` comes from. */
  readonly kvTransferSource: string;
  /**
   * Regions where the type is known to be offered (a third-party sweep, not official).
   * Used only to warn; a region missing here may still offer the type.
   */
  readonly knownRegions: string[];
}

/** Measured KV egress out of all 16 Trainium2 devices of a trn2.48xlarge over EFA (FACTS.md). */
const TRN2_48XL_MEASURED_KV_GBPS = 270;
/** Measured KV egress out of one Trainium2 device over EFA (FACTS.md). */
const TRN2_DEVICE_MEASURED_KV_GBPS = 19;
/**
 * Fraction of line rate the trn2.48xlarge measurement achieves (270 GB/s of 3.2 Tbit/s = 400 GB/s).
 * Types without a measurement are derived from their line rate at this efficiency.
 */
const MEASURED_EFA_EFFICIENCY = TRN2_48XL_MEASURED_KV_GBPS / (3200 / 8);

function derivedKvGBps(networkBandwidthGbps: number): number {
  return Math.round((networkBandwidthGbps / 8) * MEASURED_EFA_EFFICIENCY * 10) / 10;
}

const DERIVED_SOURCE = 'derived: line rate x the efficiency measured on trn2.48xlarge (270 of 400 GB/s)';
const TRN1_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];
const TRN2_REGIONS = ['us-east-2'];

export const TRN1_2XLARGE: InstanceTypeSpec = {
  name: 'trn1.2xlarge',
  vcpus: 8,
  memoryGiB: 32,
  accelerator: TRAINIUM1,
  chips: 1,
  neuronCores: 2,
  defaultLogicalNeuronCoreConfig: 1,
  logicalNeuronCores: 2,
  acceleratorMemoryGiB: 32,
  networkCards: 1,
  maxNetworkInterfaces: 4,
  networkBandwidthGbps: 12.5,
  efa: EfaSupport.NONE,
  disaggregatedInference: false,
  nitroVersion: 4,
  enclaves: false,
  dedicatedHosts: true,
  kvTransferGBps: derivedKvGBps(12.5),
  kvTransferSource: `${DERIVED_SOURCE}; over ENA (TCP), no EFA on this type`,
  knownRegions: TRN1_REGIONS,
};

export const TRN1_32XLARGE: InstanceTypeSpec = {
  name: 'trn1.32xlarge',
  vcpus: 128,
  memoryGiB: 512,
  accelerator: TRAINIUM1,
  chips: 16,
  neuronCores: 32,
  defaultLogicalNeuronCoreConfig: 1,
  logicalNeuronCores: 32,
  acceleratorMemoryGiB: 512,
  networkCards: 8,
  maxNetworkInterfaces: 40,
  networkBandwidthGbps: 800,
  efa: EfaSupport.V2,
  disaggregatedInference: false,
  nitroVersion: 4,
  enclaves: false,
  dedicatedHosts: true,
  kvTransferGBps: derivedKvGBps(800),
  kvTransferSource: DERIVED_SOURCE,
  knownRegions: TRN1_REGIONS,
};

export const TRN1N_32XLARGE: InstanceTypeSpec = {
  ...TRN1_32XLARGE,
  name: 'trn1n.32xlarge',
  networkCards: 16,
  maxNetworkInterfaces: 80,
  networkBandwidthGbps: 1600,
  dedicatedHosts: false,
  kvTransferGBps: derivedKvGBps(1600),
};

export const TRN2_3XLARGE: InstanceTypeSpec = {
  name: 'trn2.3xlarge',
  vcpus: 12,
  memoryGiB: 128,
  accelerator: TRAINIUM2,
  chips: 1,
  neuronCores: 8,
  defaultLogicalNeuronCoreConfig: 2,
  logicalNeuronCores: 4,
  acceleratorMemoryGiB: 96,
  networkCards: 1,
  maxNetworkInterfaces: 2,
  networkBandwidthGbps: 200,
  efa: EfaSupport.V3,
  disaggregatedInference: true,
  nitroVersion: 5,
  enclaves: true,
  dedicatedHosts: false,
  kvTransferGBps: TRN2_DEVICE_MEASURED_KV_GBPS,
  kvTransferSource: 'measured: one Trainium2 device over EFA (FACTS.md)',
  knownRegions: TRN2_REGIONS,
};

export const TRN2_48XLARGE: InstanceTypeSpec = {
  name: 'trn2.48xlarge',
  vcpus: 192,
  memoryGiB: 2048,
  accelerator: TRAINIUM2,
  chips: 16,
  neuronCores: 128,
  defaultLogicalNeuronCoreConfig: 2,
  logicalNeuronCores: 64,
  acceleratorMemoryGiB: 1536,
  networkCards: 16,
  maxNetworkInterfaces: 32,
  networkBandwidthGbps: 3200,
  efa: EfaSupport.V3,
  disaggregatedInference: true,
  nitroVersion: 5,
  enclaves: true,
  dedicatedHosts: false,
  kvTransferGBps: TRN2_48XL_MEASURED_KV_GBPS,
  kvTransferSource: 'measured: all 16 Trainium2 devices of a trn2.48xlarge over EFA (FACTS.md)',
  knownRegions: TRN2_REGIONS,
};

/** Same host as trn2.48xlarge, sold as part of a 64-chip UltraServer (no Spot). */
export const TRN2U_48XLARGE: InstanceTypeSpec = {
  ...TRN2_48XLARGE,
  name: 'trn2u.48xlarge',
  kvTransferSource: 'measured on trn2.48xlarge, the same host (FACTS.md)',
};

/** Every Trainium instance type the library knows, in catalog order. */
export const TRAINIUM_INSTANCE_TYPES: readonly InstanceTypeSpec[] = [
  TRN1_2XLARGE,
  TRN1_32XLARGE,
  TRN1N_32XLARGE,
  TRN2_3XLARGE,
  TRN2_48XLARGE,
  TRN2U_48XLARGE,
];

/** The instance type fleets, the mock's realistic timing and the planner default to: Trn2, the type AWS's disaggregated-inference guides use. */
export const DEFAULT_PREFILL_INSTANCE_TYPE = 'trn2.48xlarge';

/**
 * The spec of a Trainium instance type by its EC2 name.
 * @throws when the type is not in the catalog; the message lists the supported names.
 */
export function getInstanceTypeSpec(name: string): InstanceTypeSpec {
  const spec = TRAINIUM_INSTANCE_TYPES.find((t) => t.name === name);
  if (!spec) {
    throw new Error(
      `Unknown instance type '${name}': supported Trainium instance types are ` +
        `${TRAINIUM_INSTANCE_TYPES.map((t) => t.name).join(', ')}.`,
    );
  }
  return spec;
}

/** The catalog's types that support EFA. */
export function efaInstanceTypes(): InstanceTypeSpec[] {
  return TRAINIUM_INSTANCE_TYPES.filter((t) => t.efa.supported);
}

/**
 * The catalog's types a prefill or decode fleet can use: EFA for the KV hand-off, and
 * disaggregated inference in the software on the default image (Trn2 today; Trn3 once it is
 * offered as an EC2 instance type).
 */
export function disaggregatedInferenceInstanceTypes(): InstanceTypeSpec[] {
  return TRAINIUM_INSTANCE_TYPES.filter((t) => t.efa.supported && t.disaggregatedInference);
}
