import { getInstanceTypeSpec, getModelSpec, ModelSpec } from '../../hardware';
import { Cs3Endpoint } from './cs3-endpoint';
import type { PrefillWork } from './model-arithmetic';
import { TrainiumReplica } from './trainium-replica';

/**
 * A published latency or speed beside what the timing rules predict for the same configuration:
 * the evidence behind the calibration (`npm run plan -- --calibration` prints them; a test holds
 * each within 25% or to its listed reason).
 */
export interface PublishedFigure {
  /** Where the figure is published. */
  readonly source: string;
  /** The model, hardware and settings it was measured with. */
  readonly configuration: string;
  /** What was measured. */
  readonly metric: 'TTFT p50' | 'TPOT p50' | 'TTFT' | 'decode speed';
  readonly unit: 'ms' | 'tokens/s';
  readonly published: number;
  /** The rules' figure for the same configuration. */
  predict(): number;
  /** Why the rules cannot match it, when they cannot. */
  readonly unmatched?: string;
}

const NEURON = 'aws-neuron/aws-neuron-sdk';
const TRN2_70B_TUTORIAL = `${NEURON} libraries/nxd-inference/tutorials/llama70b_perf_comparison.csv (Trn2 Llama 3.3 70B tutorial)`;
const TRN2_405B_TUTORIAL = `${NEURON} libraries/nxd-inference/tutorials/llama405b_perf_comparison.csv (2025-02-04)`;
const TRN2_70B_APC = `${NEURON} libraries/nxd-inference/tutorials/llama70b_apc_perf_comparison.csv (2025-06-24)`;
const TRN2_8B_EAGLE = `${NEURON} vllm-neuron/docs/tutorials/tutorial-eagle3-speculative-decoding-llama-3-1.md (2026-06-11)`;
const TRN2_GPT_OSS_EAGLE = `${NEURON} vllm-neuron/docs/tutorials/tutorial-eagle3-speculative-decoding-gpt-oss.md (2026-07-27)`;
const TRN1_LATENCY = `${NEURON} about-neuron/benchmarks/trn1/latency_data_decoder.csv (Neuron 2.18.1)`;
const TRN1_THROUGHPUT = `${NEURON} about-neuron/benchmarks/trn1/throughput_data_decoder.csv (Neuron 2.18.1)`;

const SPECULATION = 'speculative decoding (a draft model proposing tokens) is not in the rules';
const IN_PROCESS = 'in-process sample script, no HTTP server';
const BATCHED_ENCODING = 'four 2,048-token prompts encoded in one pass reach a higher utilisation than one prompt; the rule charges every prompt at the one-prompt rate';

const LLAMA_8B = getModelSpec('llama-3.1-8b-instruct');
const LLAMA_70B = getModelSpec('llama-3.1-70b-instruct');
const LLAMA_33_70B = getModelSpec('llama-3.3-70b-instruct');
const LLAMA_405B = getModelSpec('llama-3.1-405b-instruct');
const GPT_OSS_120B = getModelSpec('gpt-oss-120b');
/** The tutorial's setup: BF16 (Trn2 has no MXFP4 path, so the experts are dequantized at load), max_num_seqs 1. */
const TRN2_GPT_OSS_CONFIG = 'gpt-oss-120b, trn2.48xlarge, TP 16, BF16, sonnet 512 in / 128 out, concurrency 1';
/** The only Neuron figures for a mixture of experts (the tutorial calls them illustrative): listed, not fitted to. */
const ONE_MOE_FIGURE = 'one illustrative mixture-of-experts figure is too little to fit MoE constants to';
const TRN2 = getInstanceTypeSpec('trn2.48xlarge');
const TRN1 = getInstanceTypeSpec('trn1.32xlarge');

/** A prompt of `tokens`, computed at its compiled bucket's length (Neuron pads to the bucket). */
const prompt = (tokens: number) => ({ newTokens: tokens, contextTokens: tokens });
/** The mean context over an answer of `output` tokens after a prompt of `input`. */
const meanContext = (input: number, output: number) => input + output / 2;

function trn2(model: ModelSpec, degree: number): TrainiumReplica {
  return new TrainiumReplica(model, TRN2, degree);
}
/** A trn1.32xlarge replica at TP 32; `weightBytes` 1 for the int8-stored 8B rows. */
function trn1(model: ModelSpec, weightBytes = 2): TrainiumReplica {
  return new TrainiumReplica(model, TRN1, 32, weightBytes);
}
/** A Trn1 benchmark's time to first token: measured in-process, so without the server's overhead. */
function trn1Ttft(replica: TrainiumReplica, tokens: number, batch = 1): number {
  // A batch's prompts go through context encoding together: one pass, their FLOPs added up.
  return replica.prefillOverheadMs + batch * replica.prefillComputeMs(prompt(tokens));
}
const tpot = (replica: TrainiumReplica, sequences: number, contextTokens: number) =>
  replica.decodeStepMs({ sequences, contextTokens: sequences * contextTokens });
const cs3Speed = (model: ModelSpec) => 1000 / new Cs3Endpoint(model).decodeStepMs();
/** Artificial Analysis's default workload: 1k-token prompts (artificialanalysis.ai/methodology/performance-benchmarking). */
const cs3Ttft = (model: ModelSpec) => new Cs3Endpoint(model).prefillMs(prompt(1000));

/** One row of the Trn1 benchmark tables: a batch of prompts, their lengths, and the TTFT and TPOT p50. */
interface Trn1Row {
  readonly batch: number;
  readonly input: number;
  readonly output: number;
  readonly ttft: number;
  readonly tpot: number;
  readonly ttftUnmatched?: string;
}

/** A Trn1 model's rows (batch 1 from the latency table, larger batches from the throughput table). */
function trn1Figures(name: string, model: ModelSpec, weights: 'BF16' | 'int8', rows: readonly Trn1Row[]): PublishedFigure[] {
  const replica = trn1(model, weights === 'int8' ? 1 : 2);
  return rows.flatMap((row): PublishedFigure[] => {
    const source = row.batch === 1 ? TRN1_LATENCY : TRN1_THROUGHPUT;
    const configuration = `${name}, trn1.32xlarge, TP 32, ${weights} weights, batch ${row.batch}, ${row.input} in / ${row.output} out, ${IN_PROCESS}`;
    return [
      { source, configuration, metric: 'TTFT p50', unit: 'ms', published: row.ttft, predict: () => trn1Ttft(replica, row.input, row.batch), unmatched: row.ttftUnmatched },
      { source, configuration, metric: 'TPOT p50', unit: 'ms', published: row.tpot, predict: () => tpot(replica, row.batch, meanContext(row.input, row.output)) },
    ];
  });
}

const TRN2_70B_CONFIG = 'Llama 3.3 70B, trn2.48xlarge, TP 64, BF16, batch 1, 10k in (12,288-token bucket) / 1.5k out';
const TRN2_405B_CONFIG = 'Llama 3.1 405B, trn2.48xlarge, TP 64, BF16, batch 1, 10k in (10,240-token bucket) / 1.5k out';
const TRN2_APC_CONFIG = 'Llama 3.3 70B, trn2.48xlarge, TP 64, batch 4, context buckets 512 to 8,192';
const APC_QUEUED = "4.8x the 1k dataset's TTFT for twice the tokens: the benchmark's batch-4 run queued prompts, which a single prompt's time does not show";

/** A row of the prefix-caching tutorial's table: a dataset's TTFT p50 and the prefill it asks for. */
function apc(dataset: string, published: number, work: PrefillWork, unmatched?: string): PublishedFigure {
  return {
    source: TRN2_70B_APC,
    configuration: `${TRN2_APC_CONFIG}; ${dataset}`,
    metric: 'TTFT p50',
    unit: 'ms',
    published,
    predict: () => trn2(LLAMA_33_70B, 64).prefillMs(work),
    unmatched,
  };
}

export const PUBLISHED_FIGURES: readonly PublishedFigure[] = [
  // Trainium2, Llama 3.3 70B tutorial: two versions of one table, same configuration.
  { source: `${TRN2_70B_TUTORIAL} @06f33784 (2024-12-18)`, configuration: TRN2_70B_CONFIG, metric: 'TTFT p50', unit: 'ms', published: 575.6, predict: () => trn2(LLAMA_33_70B, 64).prefillMs(prompt(12288)) },
  { source: `${TRN2_70B_TUTORIAL} @ba1c08b0 (2025-02-04)`, configuration: TRN2_70B_CONFIG, metric: 'TTFT p50', unit: 'ms', published: 814.2, predict: () => trn2(LLAMA_33_70B, 64).prefillMs(prompt(12288)) },
  { source: `${TRN2_70B_TUTORIAL} @06f33784 (2024-12-18)`, configuration: TRN2_70B_CONFIG, metric: 'TPOT p50', unit: 'ms', published: 19.8, predict: () => tpot(trn2(LLAMA_33_70B, 64), 1, meanContext(10000, 1500)) },
  { source: `${TRN2_70B_TUTORIAL} @ba1c08b0 (2025-02-04)`, configuration: TRN2_70B_CONFIG, metric: 'TPOT p50', unit: 'ms', published: 19.6, predict: () => tpot(trn2(LLAMA_33_70B, 64), 1, meanContext(10000, 1500)) },
  { source: `${TRN2_70B_TUTORIAL} @ba1c08b0 (2025-02-04)`, configuration: `${TRN2_70B_CONFIG}, Llama 3.2 1B draft`, metric: 'TPOT p50', unit: 'ms', published: 5.3, predict: () => tpot(trn2(LLAMA_33_70B, 64), 1, meanContext(10000, 1500)), unmatched: SPECULATION },
  // Trainium2, Llama 3.1 405B.
  { source: TRN2_405B_TUTORIAL, configuration: TRN2_405B_CONFIG, metric: 'TTFT p50', unit: 'ms', published: 2442, predict: () => trn2(LLAMA_405B, 64).prefillMs(prompt(10240)) },
  { source: TRN2_405B_TUTORIAL, configuration: TRN2_405B_CONFIG, metric: 'TPOT p50', unit: 'ms', published: 37.9, predict: () => tpot(trn2(LLAMA_405B, 64), 1, meanContext(10000, 1500)) },
  {
    source: TRN2_405B_TUTORIAL,
    configuration: `${TRN2_405B_CONFIG}, FP8-rescaled MLP weights, Llama 3.2 1B draft`,
    metric: 'TPOT p50',
    unit: 'ms',
    published: 8.27,
    predict: () => tpot(trn2(LLAMA_405B, 64), 1, meanContext(10000, 1500)),
    unmatched: `${SPECULATION}, nor are FP8 weights`,
  },
  // Trainium2, Llama 3.3 70B prefix-caching tutorial: prompts padded to the 512 to 8,192-token buckets.
  apc('HumanEval (about 150-token prompts, 512 bucket), no prefix caching', 89.7, prompt(512)),
  apc('HumanEval, prefix caching on, no hit', 91.8, prompt(512)),
  apc('dynamic sonnet 1k (1,024 bucket), no prefix caching', 123.08, prompt(1024)),
  apc('dynamic sonnet 1k, prefix caching on, about 25% hit', 102.15, { newTokens: 768, contextTokens: 1024 }),
  apc('dynamic sonnet 2k (2,048 bucket), no prefix caching', 592.8, prompt(2048), APC_QUEUED),
  apc('dynamic sonnet 2k, prefix caching on, about 25% hit', 377.2, { newTokens: 1536, contextTokens: 2048 }, 'the same queueing as the uncached 2k row'),
  // Trainium2, vllm-neuron, Llama 3.1 8B at TP 8 (the tutorial calls its numbers illustrative).
  { source: TRN2_8B_EAGLE, configuration: 'Llama 3.1 8B, trn2.48xlarge, TP 8, sonnet 512 in / 128 out, concurrency 2, baseline', metric: 'TTFT p50', unit: 'ms', published: 51.07, predict: () => trn2(LLAMA_8B, 8).prefillMs(prompt(512)) },
  { source: TRN2_8B_EAGLE, configuration: 'Llama 3.1 8B, trn2.48xlarge, TP 8, sonnet 512 in / 128 out, concurrency 2, baseline', metric: 'TPOT p50', unit: 'ms', published: 10.52, predict: () => tpot(trn2(LLAMA_8B, 8), 2, meanContext(512, 128)) },
  { source: TRN2_8B_EAGLE, configuration: 'Llama 3.1 8B, trn2.48xlarge, TP 8, concurrency 2, EAGLE3 draft', metric: 'TPOT p50', unit: 'ms', published: 6.41, predict: () => tpot(trn2(LLAMA_8B, 8), 2, meanContext(512, 128)), unmatched: SPECULATION },
  // Trainium2, vllm-neuron, gpt-oss-120b at TP 16.
  {
    source: TRN2_GPT_OSS_EAGLE,
    configuration: `${TRN2_GPT_OSS_CONFIG}, baseline`,
    metric: 'TTFT p50',
    unit: 'ms',
    published: 252.33,
    predict: () => trn2(GPT_OSS_120B, 16).prefillMs(prompt(512)),
    // The rule charges the 5.1B active parameters' FLOPs; reading all 128 experts' BF16 weights once costs about 20 ms at TP 16.
    unmatched: `5x the rules' time for 512 tokens on 5.1B active parameters, which neither the FLOPs nor one read of every expert's weights explains; ${ONE_MOE_FIGURE}`,
  },
  {
    source: TRN2_GPT_OSS_EAGLE,
    configuration: `${TRN2_GPT_OSS_CONFIG}, baseline`,
    metric: 'TPOT p50',
    unit: 'ms',
    published: 7.0,
    predict: () => tpot(trn2(GPT_OSS_120B, 16), 1, meanContext(512, 128)),
    unmatched: `the step overhead fitted to the dense Llama rows (8 ms at TP 16) exceeds this server's whole step; ${ONE_MOE_FIGURE}`,
  },
  { source: TRN2_GPT_OSS_EAGLE, configuration: `${TRN2_GPT_OSS_CONFIG}, EAGLE3 draft`, metric: 'TPOT p50', unit: 'ms', published: 5.82, predict: () => tpot(trn2(GPT_OSS_120B, 16), 1, meanContext(512, 128)), unmatched: SPECULATION },
  // Trainium1: Llama-3-70B (the shape of Llama 3.1 70B), BF16 weights, TP 32.
  ...trn1Figures('Llama-3-70B', LLAMA_70B, 'BF16', [
    { batch: 1, input: 2048, output: 2048, ttft: 547, tpot: 26.2 },
    { batch: 1, input: 128, output: 1024, ttft: 53.2, tpot: 24.48 },
    { batch: 1, input: 128, output: 128, ttft: 52.53, tpot: 26.48 },
    { batch: 4, input: 2048, output: 2048, ttft: 1661.12, tpot: 32.33, ttftUnmatched: BATCHED_ENCODING },
    { batch: 4, input: 128, output: 1024, ttft: 129.86, tpot: 28.38 },
    { batch: 4, input: 128, output: 128, ttft: 130.37, tpot: 28.08 },
  ]),
  // Trainium1: Llama-3-8B (the shape of Llama 3.1 8B), int8-stored weights, BF16 matrix products.
  ...trn1Figures('Llama-3-8B', LLAMA_8B, 'int8', [
    { batch: 1, input: 128, output: 8064, ttft: 17.09, tpot: 7.03 },
    { batch: 1, input: 4096, output: 4096, ttft: 153.02, tpot: 7.04 },
    { batch: 1, input: 128, output: 3968, ttft: 14.75, tpot: 5.86 },
    { batch: 8, input: 128, output: 8064, ttft: 55.16, tpot: 9.95 },
    { batch: 8, input: 4096, output: 4096, ttft: 1265.95, tpot: 10.04 },
    { batch: 8, input: 128, output: 3968, ttft: 49.05, tpot: 7.65 },
  ]),
  // Cerebras CS-3: published speeds (the catalog's inputs, so these rows check the catalog and the rule agree) and times to first token.
  { source: 'Cerebras blog "Introducing Cerebras Inference" (2024-08-27)', configuration: 'Llama 3.1 8B, Cerebras Inference', metric: 'decode speed', unit: 'tokens/s', published: 1800, predict: () => cs3Speed(LLAMA_8B) },
  {
    source: 'Cerebras blog "Introducing Cerebras Inference" (2024-08-27)',
    configuration: 'Llama 3.1 70B, Cerebras Inference at launch',
    metric: 'decode speed',
    unit: 'tokens/s',
    published: 450,
    predict: () => cs3Speed(LLAMA_70B),
    unmatched: "launch-day software; the catalog keeps Cerebras's later figure for the same model (the next row)",
  },
  { source: 'danielkim.sh "How is Cerebras so Fast?" (a Cerebras engineer, late 2024)', configuration: 'Llama 3.1 70B, Cerebras Inference', metric: 'decode speed', unit: 'tokens/s', published: 2148, predict: () => cs3Speed(LLAMA_70B) },
  { source: "Tom's Hardware 2024-11-20, quoting Cerebras", configuration: 'Llama 3.1 405B, Cerebras Inference, BF16', metric: 'decode speed', unit: 'tokens/s', published: 969, predict: () => cs3Speed(LLAMA_405B) },
  { source: "Tom's Hardware 2024-11-20, quoting Cerebras", configuration: 'Llama 3.1 405B, Cerebras Inference, BF16 (taken as a 1k-token prompt)', metric: 'TTFT', unit: 'ms', published: 240, predict: () => cs3Ttft(LLAMA_405B) },
  { source: 'Artificial Analysis via Cerebras (anintent.com)', configuration: 'Llama 3.3 70B, Cerebras Inference, 1k-token prompts', metric: 'decode speed', unit: 'tokens/s', published: 2314, predict: () => cs3Speed(LLAMA_33_70B) },
  { source: 'Artificial Analysis via Cerebras (anintent.com)', configuration: 'Llama 3.3 70B, Cerebras Inference, 1k-token prompts', metric: 'TTFT', unit: 'ms', published: 170, predict: () => cs3Ttft(LLAMA_33_70B) },
  { source: 'Roo-Code packages/types/src/providers/cerebras.ts (maintained by Cerebras, 2025-08)', configuration: 'Llama 3.3 70B, Cerebras Inference', metric: 'decode speed', unit: 'tokens/s', published: 2600, predict: () => cs3Speed(LLAMA_33_70B) },
];

