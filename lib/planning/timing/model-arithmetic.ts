import type { ModelSpec } from '../../hardware';

/** Bytes of one BF16 weight: the precision of every published figure the rules are fitted to. */
export const BF16_BYTES_PER_PARAMETER = 2;

/** A prefill: the tokens to compute and the context they attend over. */
export interface PrefillWork {
  /** Tokens computed now: the prompt less its cached prefix. */
  readonly newTokens: number;
  /** The whole context those tokens attend over (cached prefix plus new tokens); at least `newTokens`. */
  readonly contextTokens: number;
}

/** Parameters one token passes through (all of them for a dense model). */
export function activeParameters(model: ModelSpec): number {
  return (model.activeParametersBillions ?? model.parametersBillions) * 1e9;
}

/** Every parameter, in bytes at `bytesPerParameter`: what the device memory must hold. */
export function weightBytes(model: ModelSpec, bytesPerParameter = BF16_BYTES_PER_PARAMETER): number {
  return model.parametersBillions * 1e9 * bytesPerParameter;
}

/**
 * The width a dense transformer of this size and depth would have: parameters ~ 12 x layers x width^2
 * (attention 4 w^2 plus a 4x MLP 8 w^2 per layer). It sets how much tensor-parallel communication a
 * layer's compute carries; within 4% of the real hidden size for the Llama 3.1 models.
 */
export function layerWidth(model: ModelSpec): number {
  return Math.sqrt(activeParameters(model) / (12 * model.layers));
}

/**
 * FLOPs of a prefill: 2 per active parameter per new token (the matrix products), plus causal
 * attention over the context: each new token at position p scores and mixes p + 1 keys, 4 FLOPs
 * per key per query dimension (QK^T and AV), in every layer. The attention term is what makes long
 * prompts cost more than their length: quadratic in the context.
 */
export function prefillFlops(model: ModelSpec, work: PrefillWork): number {
  const { newTokens, contextTokens } = work;
  const cached = contextTokens - newTokens;
  const attendedPairs = newTokens * cached + (newTokens * (newTokens + 1)) / 2;
  const queryWidth = model.attentionHeads * model.headDim;
  return 2 * activeParameters(model) * newTokens + 4 * model.layers * queryWidth * attendedPairs;
}

/**
 * Weight bytes one decode step reads for a batch of `sequences`: every dense weight once; of a
 * mixture of experts, the experts the batch's tokens are routed to. With E experts, k per token and
 * routing taken as uniform, a layer's expert is untouched by the batch with probability (1 - k/E)^b.
 */
export function decodeWeightBytes(model: ModelSpec, sequences: number, bytesPerParameter = BF16_BYTES_PER_PARAMETER): number {
  const total = model.parametersBillions * 1e9;
  const experts = model.experts;
  if (!experts) return total * bytesPerParameter;
  const routedShare = experts.perToken / experts.total;
  // active = shared + routed x k/E and total = shared + routed give the routed (expert) parameters.
  const routed = (total - activeParameters(model)) / (1 - routedShare);
  const touched = 1 - Math.pow(1 - routedShare, sequences);
  return (total - routed + routed * touched) * bytesPerParameter;
}

/** Attention FLOPs of one decode step: each sequence's new token over its context. */
export function decodeAttentionFlops(model: ModelSpec, contextTokens: number): number {
  return 4 * model.layers * model.attentionHeads * model.headDim * contextTokens;
}
