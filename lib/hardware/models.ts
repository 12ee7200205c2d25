/**
 * The models the library knows how to place: their shapes (which fix the KV cache each token
 * costs), the ids clients call them by, and the published CS-3 decode speed.
 * Data only, CDK-free, so the router, the mock and the planner share one source.
 */
export interface ModelSpec {
  /** Short name used across the library, e.g. `llama-3.1-70b-instruct`. */
  readonly name: string;
  /** Hugging Face repository id (what vLLM downloads and serves). */
  readonly huggingFaceId: string;
  /**
   * Amazon Bedrock ids a client may send: the foundation-model id and the cross-region
   * inference-profile ids (`us.` ...) Bedrock offers for it. Only ids Bedrock publishes.
   */
  readonly bedrockModelIds: string[];
  readonly parametersBillions: number;
  /**
   * Parameters one token passes through, in billions: all of them for a dense model, the shared
   * ones plus the routed experts for a mixture of experts. Prefill FLOPs and the weights a decode
   * step reads scale with these.
   * @default parametersBillions (a dense model)
   */
  readonly activeParametersBillions?: number;
  /**
   * A mixture-of-experts layout: experts per MoE layer and how many each token is routed to.
   * A decode step reads the experts its batch touches, not all of them.
   * @default none (a dense model)
   */
  readonly experts?: MixtureOfExperts;
  /** Transformer layers. */
  readonly layers: number;
  /** Query (attention) heads per layer: with `headDim`, the width attention's FLOPs scale with. */
  readonly attentionHeads: number;
  /** Key/value heads per layer (grouped-query attention). */
  readonly kvHeads: number;
  /** Dimension of one attention head. */
  readonly headDim: number;
  /** KV-cache bytes one token costs in BF16: keys and values, every layer (see `kvCacheBytesPerToken`). */
  readonly kvBytesPerToken: number;
  /** Tokens of prompt plus output the model accepts. */
  readonly contextWindow: number;
  /**
   * Largest output a request may ask for when served by this library. Bedrock caps Llama's
   * `max_gen_len` at 2048; a self-hosted vLLM has no such cap, so this is the library's choice.
   */
  readonly maxOutputTokens: number;
  /** Published Cerebras CS-3 decode speed for one stream, in output tokens per second. */
  readonly cs3DecodeTokensPerSecond: number;
}

/** A mixture-of-experts layout (Hugging Face config `num_experts`/`num_local_experts`, `num_experts_per_tok`). */
export interface MixtureOfExperts {
  /** Routed experts per MoE layer. */
  readonly total: number;
  /** Experts each token is routed to. */
  readonly perToken: number;
}

/** Bytes of one BF16 value. */
const BF16_BYTES = 2;

/** KV-cache bytes per token from a model's shape: (K and V) x layers x KV heads x head dim x BF16 bytes. */
export function kvCacheBytesPerToken(shape: { layers: number; kvHeads: number; headDim: number }): number {
  return 2 * shape.layers * shape.kvHeads * shape.headDim * BF16_BYTES;
}

/** Llama 3.1's context window (128K tokens). */
const LLAMA_31_CONTEXT = 131_072;
/** Output cap the library serves (see `ModelSpec.maxOutputTokens`). */
const SERVED_MAX_OUTPUT = 8192;

function llama(spec: Omit<ModelSpec, 'kvBytesPerToken' | 'contextWindow' | 'maxOutputTokens'>): ModelSpec {
  return {
    ...spec,
    kvBytesPerToken: kvCacheBytesPerToken(spec),
    contextWindow: LLAMA_31_CONTEXT,
    maxOutputTokens: SERVED_MAX_OUTPUT,
  };
}

export const LLAMA_3_1_8B_INSTRUCT: ModelSpec = llama({
  name: 'llama-3.1-8b-instruct',
  huggingFaceId: 'meta-llama/Llama-3.1-8B-Instruct',
  bedrockModelIds: ['meta.llama3-1-8b-instruct-v1:0', 'us.meta.llama3-1-8b-instruct-v1:0'],
  parametersBillions: 8,
  layers: 32,
  attentionHeads: 32,
  kvHeads: 8,
  headDim: 128,
  cs3DecodeTokensPerSecond: 1800,
});

/**
 * CS-3 speed: about 2,100 tokens/s in late 2024 (2,148 tokens/s, danielkim.sh "How is Cerebras so
 * Fast?", a Cerebras engineer's write-up); 450 tokens/s at the 2024-08-27 launch (Cerebras blog
 * "Introducing Cerebras Inference").
 */
export const LLAMA_3_1_70B_INSTRUCT: ModelSpec = llama({
  name: 'llama-3.1-70b-instruct',
  huggingFaceId: 'meta-llama/Llama-3.1-70B-Instruct',
  bedrockModelIds: ['meta.llama3-1-70b-instruct-v1:0', 'us.meta.llama3-1-70b-instruct-v1:0'],
  parametersBillions: 70,
  layers: 80,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  cs3DecodeTokensPerSecond: 2100,
});

/** Bedrock offers no cross-region inference profile for 405B, only the foundation-model id. */
export const LLAMA_3_1_405B_INSTRUCT: ModelSpec = llama({
  name: 'llama-3.1-405b-instruct',
  huggingFaceId: 'meta-llama/Llama-3.1-405B-Instruct',
  bedrockModelIds: ['meta.llama3-1-405b-instruct-v1:0'],
  parametersBillions: 405,
  layers: 126,
  attentionHeads: 128,
  kvHeads: 8,
  headDim: 128,
  cs3DecodeTokensPerSecond: 969,
});

/**
 * Same shape as 3.1 70B. CS-3 speed: 2,314 tokens/s with a time to first token of about 170 ms, as
 * measured by Artificial Analysis (1k-token prompts) and quoted by Cerebras (anintent.com, "How to Run
 * Low-Latency AI Inference on the Cerebras CS-3 API"); a Cerebras-maintained provider table says about
 * 2,600 (Roo-Code packages/types/src/providers/cerebras.ts).
 */
export const LLAMA_3_3_70B_INSTRUCT: ModelSpec = llama({
  name: 'llama-3.3-70b-instruct',
  huggingFaceId: 'meta-llama/Llama-3.3-70B-Instruct',
  bedrockModelIds: ['meta.llama3-3-70b-instruct-v1:0', 'us.meta.llama3-3-70b-instruct-v1:0'],
  parametersBillions: 70,
  layers: 80,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  cs3DecodeTokensPerSecond: 2314,
});

/** Every model the library knows. */
export const MODEL_CATALOG: readonly ModelSpec[] = [
  LLAMA_3_1_8B_INSTRUCT,
  LLAMA_3_1_70B_INSTRUCT,
  LLAMA_3_1_405B_INSTRUCT,
  LLAMA_3_3_70B_INSTRUCT,
];

/**
 * A model by its library name, Hugging Face id or any of its Bedrock ids (case-insensitive).
 * @throws when nothing matches; the message lists the supported names.
 */
export function getModelSpec(idOrAlias: string): ModelSpec {
  const wanted = idOrAlias.toLowerCase();
  const spec = MODEL_CATALOG.find((m) =>
    [m.name, m.huggingFaceId, ...m.bedrockModelIds].some((id) => id.toLowerCase() === wanted),
  );
  if (!spec) {
    throw new Error(
      `Unknown model '${idOrAlias}': supported models are ${MODEL_CATALOG.map((m) => m.name).join(', ')} ` +
        '(by that name, their Hugging Face id or a Bedrock model id).',
    );
  }
  return spec;
}

/**
 * The foundation-model ARN of a catalog model in a region and partition, as Bedrock names it:
 * `arn:<partition>:bedrock:<region>::foundation-model/<foundation-model id>`.
 */
export function foundationModelArn(spec: ModelSpec, region: string, partition: string): string {
  return `arn:${partition}:bedrock:${region}::foundation-model/${spec.bedrockModelIds[0]}`;
}

/**
 * Every id a client may call a catalog model by: its Bedrock ids (foundation model and inference
 * profiles) and its foundation-model ARN in `region` and `partition`. The one mapping the local mock
 * (a fixed region) and the deployed registry (the stack's region and partition) both serve.
 */
export function clientModelIds(spec: ModelSpec, region: string, partition: string): string[] {
  return [...spec.bedrockModelIds, foundationModelArn(spec, region, partition)];
}
