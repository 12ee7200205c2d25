/**
 * The models the library knows how to place: their shapes (which fix the KV cache each token
 * costs and, with the active parameters, what prefill computes), the ids clients call them by,
 * the published CS-3 decode speed, and how vLLM parses their tool calls and reasoning.
 * Data only, CDK-free, so the router, the mock, the fleet and the planner share one source.
 */

/** How vLLM's OpenAI-compatible server reads a model's output (`vllm serve` flags). */
export interface VllmParsers {
  /**
   * `--tool-call-parser`: turns the model's tool-call text into `tool_calls` (served with
   * `--enable-auto-tool-choice`, which `tool_choice: auto` requires). Names from vLLM's registry
   * (`vllm/tool_parsers/__init__.py`) and its tool-calling docs (`docs/features/tool_calling.md`).
   */
  readonly toolCallParser: string;
  /** `--reasoning-parser`: splits reasoning from the answer (`docs/features/reasoning_outputs.md`). @default none */
  readonly reasoningParser?: string;
}

/** Layers that attend over a sliding window of the last tokens only. */
export interface SlidingWindowAttention {
  /** How many of the model's layers use the window. */
  readonly layers: number;
  /** The window, in tokens. */
  readonly tokens: number;
}

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
  /**
   * Layers that attend over a sliding window only, and the window in tokens (gpt-oss alternates
   * 128-token windows with full attention). Their KV cache stops growing at the window.
   * @default none: every layer attends over the whole context
   */
  readonly slidingWindow?: SlidingWindowAttention;
  /**
   * KV-cache bytes each further token of context costs in BF16: keys and values of every layer
   * whose cache grows with the context (see `kvCacheBytesPerToken`). Sliding-window layers add a
   * fixed amount per sequence instead (see `kvCacheBytes`).
   */
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
  /** Whether the model reasons before it answers (its reasoning comes back as reasoningContent). */
  readonly reasoning: boolean;
  /** How vLLM parses the model's tool calls and reasoning. */
  readonly vllm: VllmParsers;
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

/**
 * The KV cache of a sequence of `tokens`: every token in the full-attention layers, at most the
 * window in the sliding-window ones (for gpt-oss-120b 36 KiB per token plus up to 4.5 MiB; an
 * engine that allocates full KV for every layer, vLLM without its hybrid KV-cache manager, needs
 * the naive 72 KiB per token).
 */
export function kvCacheBytes(model: ModelSpec, tokens: number): number {
  const window = model.slidingWindow;
  const perLayerToken = 2 * model.kvHeads * model.headDim * BF16_BYTES;
  return tokens * model.kvBytesPerToken + (window ? window.layers * Math.min(tokens, window.tokens) * perLayerToken : 0);
}

/** Llama 3.1's context window (128K tokens). */
const LLAMA_31_CONTEXT = 131_072;
/** Output cap the library serves (see `ModelSpec.maxOutputTokens`). */
const SERVED_MAX_OUTPUT = 8192;
/**
 * Output cap for reasoning and agentic-coding models: their reasoning counts as output. Qwen3's
 * model card recommends 32,768 output tokens for most queries; Cerebras takes up to 40,000 for
 * gpt-oss-120b (paid tier). The library's choice.
 */
const REASONING_MAX_OUTPUT = 32_768;

/**
 * Llama 3.x tool calls: vLLM's `llama3_json` parser (docs/features/tool_calling.md: "Llama Models
 * (`llama3_json`)"; it recommends examples/tool_chat_template_llama3.1_json.jinja, which is not in
 * the pip package, so the model's own template serves). No reasoning.
 */
const LLAMA_PARSERS: VllmParsers = { toolCallParser: 'llama3_json' };

/** A model with its KV bytes per token worked out from its shape: the layers whose cache grows with the context. */
function fromShape(spec: Omit<ModelSpec, 'kvBytesPerToken'>): ModelSpec {
  const growing = spec.layers - (spec.slidingWindow?.layers ?? 0);
  return { ...spec, kvBytesPerToken: kvCacheBytesPerToken({ layers: growing, kvHeads: spec.kvHeads, headDim: spec.headDim }) };
}

function llama(spec: Omit<ModelSpec, 'kvBytesPerToken' | 'contextWindow' | 'maxOutputTokens' | 'reasoning' | 'vllm'>): ModelSpec {
  return fromShape({
    ...spec,
    contextWindow: LLAMA_31_CONTEXT,
    maxOutputTokens: SERVED_MAX_OUTPUT,
    reasoning: false,
    vllm: LLAMA_PARSERS,
  });
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

/**
 * gpt-oss-120b, a mixture of experts (128 experts, 4 per token) with alternating attention.
 * - Shape: openai/gpt-oss `gpt_oss/torch/model.py` ModelConfig (36 layers, 64 query and 8 KV heads
 *   of 64, hidden 2880, sliding_window 128 on even layers: `layer_idx % 2 == 0`); 116.83B total and
 *   5.13B active parameters (model card, arXiv 2508.10925; the README rounds to 117B and 5.1B).
 * - KV: the 18 full-attention layers cost 36 KiB per token; the 18 sliding-window layers hold at most
 *   128 tokens each (4.5 MiB per sequence), see `kvCacheBytes`.
 * - Context: 131,072 positions (initial 4,096 with YaRN x32); Bedrock lists 128,000.
 * - Bedrock: `openai.gpt-oss-120b-1:0` (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html);
 *   no cross-region profile is confirmed. Its Converse answers carry reasoningContent blocks.
 * - CS-3: about 3,000 tokens/s (inference-docs.cerebras.ai/models/openai-oss).
 * - vLLM: `--tool-call-parser openai` (tool_calling.md; vllm-project/recipes OpenAI/GPT-OSS.md) and
 *   `--reasoning-parser openai_gptoss` (vllm/reasoning/__init__.py).
 */
export const GPT_OSS_120B: ModelSpec = fromShape({
  name: 'gpt-oss-120b',
  huggingFaceId: 'openai/gpt-oss-120b',
  bedrockModelIds: ['openai.gpt-oss-120b-1:0'],
  parametersBillions: 116.83,
  activeParametersBillions: 5.13,
  experts: { total: 128, perToken: 4 },
  layers: 36,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 64,
  slidingWindow: { layers: 18, tokens: 128 },
  contextWindow: 131_072,
  maxOutputTokens: REASONING_MAX_OUTPUT,
  cs3DecodeTokensPerSecond: 3000,
  reasoning: true,
  vllm: { toolCallParser: 'openai', reasoningParser: 'openai_gptoss' },
});

/**
 * Qwen3-32B, dense, with hybrid thinking (on by default).
 * - Shape: model card ("32.8B ... 64 layers ... 64 for Q and 8 for KV"), config.json head_dim 128,
 *   max_position_embeddings 40,960 (32,768 native plus room for output; 131,072 only with YaRN).
 * - Bedrock: `qwen.qwen3-32b-v1:0` (aws-samples/generative-ai-use-cases PR 1311; the Qwen family page
 *   docs.aws.amazon.com/bedrock/latest/userguide/model-cards-qwen.html lists the model).
 * - CS-3: about 2,600 tokens/s (inference-docs.cerebras.ai/models/qwen-3-32b, newer version).
 * - vLLM: `--tool-call-parser hermes` (tool_calling.md, Qwen models) and `--reasoning-parser qwen3`
 *   (reasoning_outputs.md: "Qwen3 series | qwen3").
 */
export const QWEN3_32B: ModelSpec = fromShape({
  name: 'qwen3-32b',
  huggingFaceId: 'Qwen/Qwen3-32B',
  bedrockModelIds: ['qwen.qwen3-32b-v1:0'],
  parametersBillions: 32.8,
  layers: 64,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  contextWindow: 40_960,
  maxOutputTokens: REASONING_MAX_OUTPUT,
  cs3DecodeTokensPerSecond: 2600,
  reasoning: true,
  vllm: { toolCallParser: 'hermes', reasoningParser: 'qwen3' },
});

/**
 * Qwen3-Coder-480B-A35B-Instruct, the agentic-coding mixture of experts (160 experts, 8 per token);
 * it does not think (no `<think>` blocks), so vLLM gets no reasoning parser: the qwen3 parser
 * would take a thinking-free answer for reasoning.
 * - Shape: model card and config.json ("480B in total and 35B activated ... 62 layers ... 96 for Q
 *   and 8 for KV"; head_dim 128; 262,144 positions natively).
 * - Bedrock: `qwen.qwen3-coder-480b-a35b-v1:0` (aws-samples/generative-ai-use-cases PR 1311).
 * - CS-3: about 2,000 tokens/s (Cerebras-maintained provider table, RooCodeInc/Roo-Code PR 6562, 2025-08-01).
 * - vLLM: `--tool-call-parser qwen3_coder` (vllm-project/recipes Qwen/Qwen3-Coder-480B-A35B.md; vLLM 0.10 and later).
 */
export const QWEN3_CODER_480B_A35B_INSTRUCT: ModelSpec = fromShape({
  name: 'qwen3-coder-480b-a35b-instruct',
  huggingFaceId: 'Qwen/Qwen3-Coder-480B-A35B-Instruct',
  bedrockModelIds: ['qwen.qwen3-coder-480b-a35b-v1:0'],
  parametersBillions: 480,
  activeParametersBillions: 35,
  experts: { total: 160, perToken: 8 },
  layers: 62,
  attentionHeads: 96,
  kvHeads: 8,
  headDim: 128,
  contextWindow: 262_144,
  maxOutputTokens: REASONING_MAX_OUTPUT,
  cs3DecodeTokensPerSecond: 2000,
  reasoning: false,
  vllm: { toolCallParser: 'qwen3_coder' },
});

/** Every model the library knows. */
export const MODEL_CATALOG: readonly ModelSpec[] = [
  LLAMA_3_1_8B_INSTRUCT,
  LLAMA_3_1_70B_INSTRUCT,
  LLAMA_3_1_405B_INSTRUCT,
  LLAMA_3_3_70B_INSTRUCT,
  GPT_OSS_120B,
  QWEN3_32B,
  QWEN3_CODER_480B_A35B_INSTRUCT,
];

/** A model by its library name, Hugging Face id or any of its Bedrock ids (case-insensitive), or undefined. */
export function findModelSpec(idOrAlias: string): ModelSpec | undefined {
  const wanted = idOrAlias.toLowerCase();
  return MODEL_CATALOG.find((m) => [m.name, m.huggingFaceId, ...m.bedrockModelIds].some((id) => id.toLowerCase() === wanted));
}

/**
 * A model by its library name, Hugging Face id or any of its Bedrock ids (case-insensitive).
 * @throws when nothing matches; the message lists the supported names.
 */
export function getModelSpec(idOrAlias: string): ModelSpec {
  const spec = findModelSpec(idOrAlias);
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
