/**
 * Per-chip figures of the accelerators the library plans with (FACTS.md "Per-chip performance":
 * AWS Neuron architecture docs for Trainium, Cerebras public material for the CS-3).
 * Data only: no AWS CDK here, so the local mock and the planner can use it too.
 */
export interface AcceleratorSpec {
  /** Marketing name of the chip. */
  readonly name: string;
  /** Dense BF16 throughput per chip, in TFLOPS. */
  readonly denseBf16Tflops: number;
  /** FP8 throughput per chip, in TFLOPS, where the chip has an FP8 path. */
  readonly fp8Tflops?: number;
  /** Device memory per chip (HBM, or on-wafer SRAM for the CS-3), in GiB. */
  readonly memoryGiB: number;
  /** Device memory bandwidth per chip, in GB/s (10^9 bytes per second). */
  readonly memoryBandwidthGBps: number;
}

/** Bytes in one GiB; used to turn vendor GB figures into GiB. */
const GIB = 1024 ** 3;

/** Trainium1. Neuron docs give 820 GB/s (FACTS.md writes GiB/s); taken as GB/s. */
export const TRAINIUM1: AcceleratorSpec = {
  name: 'Trainium1',
  denseBf16Tflops: 190,
  memoryGiB: 32,
  memoryBandwidthGBps: 820,
};

/** Trainium2. 96 GiB per chip per the Neuron docs (the EC2 API's 512 GiB per chip is wrong). */
export const TRAINIUM2: AcceleratorSpec = {
  name: 'Trainium2',
  denseBf16Tflops: 667,
  fp8Tflops: 1299,
  memoryGiB: 96,
  memoryBandwidthGBps: 2900,
};

/** Trainium3 (FP8 figure is MXFP8). Sold only as UltraServers; no EC2 instance type in the catalog. */
export const TRAINIUM3: AcceleratorSpec = {
  name: 'Trainium3',
  denseBf16Tflops: 671,
  fp8Tflops: 2517,
  memoryGiB: 144,
  memoryBandwidthGBps: 4900,
};

/** The CS-3 adds what bounds it as a decode engine: its SRAM and the I/O off the wafer. */
export interface Cs3Spec extends AcceleratorSpec {
  /** On-wafer SRAM in GB (vendor figure, 10^9 bytes). */
  readonly onWaferSramGB: number;
  /** System I/O off the wafer, in Gbit/s. */
  readonly systemIoGbps: number;
  /** The same system I/O in GB/s (bytes). */
  readonly systemIoGBps: number;
}

/**
 * Cerebras CS-3 (one WSE-3 wafer). The 125 PFLOPS peak is Cerebras's figure; its precision is
 * disputed publicly, so treat it as an upper bound, not a dense-BF16 measurement.
 */
export const CEREBRAS_CS3: Cs3Spec = {
  name: 'Cerebras WSE-3 (CS-3)',
  denseBf16Tflops: 125_000,
  memoryGiB: (44 * 1e9) / GIB,
  memoryBandwidthGBps: 21e6,
  onWaferSramGB: 44,
  systemIoGbps: 1200,
  systemIoGBps: 1200 / 8,
};
