import { MODEL_CATALOG, getModelSpec, kvCacheBytes, kvCacheBytesPerToken } from '../../lib/hardware';

describe('model catalog', () => {
  test.each([
    ['llama-3.1-8b-instruct', 128 * 1024],
    ['llama-3.1-70b-instruct', 320 * 1024],
    ['llama-3.1-405b-instruct', 504 * 1024],
  ])('%s costs the KV bytes per token of FACTS.md', (name, bytes) => {
    expect(getModelSpec(name).kvBytesPerToken).toBe(bytes);
  });

  test('kvBytesPerToken is derived from the shape', () => {
    expect(kvCacheBytesPerToken({ layers: 1, kvHeads: 1, headDim: 1 })).toBe(4);
  });

  test('finds a model by name, Hugging Face id, foundation id or inference-profile id', () => {
    const m70 = getModelSpec('llama-3.1-70b-instruct');
    expect(getModelSpec('meta-llama/Llama-3.1-70B-Instruct')).toBe(m70);
    expect(getModelSpec('meta.llama3-1-70b-instruct-v1:0')).toBe(m70);
    expect(getModelSpec('us.meta.llama3-1-70b-instruct-v1:0')).toBe(m70);
    expect(getModelSpec('us.meta.llama3-3-70b-instruct-v1:0').name).toBe('llama-3.3-70b-instruct');
  });

  test('every Bedrock id belongs to exactly one model', () => {
    const ids = MODEL_CATALOG.flatMap((m) => m.bedrockModelIds);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('CS-3 decode speeds of FACTS.md', () => {
    expect(getModelSpec('llama-3.1-8b-instruct').cs3DecodeTokensPerSecond).toBe(1800);
    expect(getModelSpec('llama-3.1-405b-instruct').cs3DecodeTokensPerSecond).toBe(969);
  });

  test('an unknown model is an error listing the supported ones', () => {
    expect(() => getModelSpec('mistral-7b')).toThrow(
      /Unknown model 'mistral-7b': supported models are llama-3.1-8b-instruct, llama-3.1-70b-instruct, llama-3.1-405b-instruct, llama-3.3-70b-instruct/,
    );
  });

  describe('reasoning and agentic-coding models', () => {
    test('gpt-oss-120b: its 18 full-attention layers grow the cache (36 KiB per token); its 18 sliding ones stop at 128 tokens', () => {
      const oss = getModelSpec('openai.gpt-oss-120b-1:0');
      expect(oss.kvBytesPerToken).toBe(36 * 1024);
      // 18 sliding layers x 8 KV heads x 64 x 2 (K, V) x 2 bytes = 36 KiB per token of the window.
      expect(kvCacheBytes(oss, 100)).toBe(100 * 36 * 1024 + 100 * 36 * 1024);
      expect(kvCacheBytes(oss, 10_000)).toBe(10_000 * 36 * 1024 + 128 * 36 * 1024);
      expect(kvCacheBytes(getModelSpec('llama-3.3-70b-instruct'), 10)).toBe(10 * 320 * 1024);
    });

    test('mixtures of experts compute with their active parameters', () => {
      expect(getModelSpec('gpt-oss-120b')).toMatchObject({ parametersBillions: 116.83, activeParametersBillions: 5.13 });
      expect(getModelSpec('Qwen/Qwen3-Coder-480B-A35B-Instruct')).toMatchObject({ parametersBillions: 480, activeParametersBillions: 35 });
      // A dense model leaves it out: all its parameters are active.
      expect(getModelSpec('qwen3-32b').activeParametersBillions).toBeUndefined();
      expect(getModelSpec('gpt-oss-120b').experts).toEqual({ total: 128, perToken: 4 });
    });

    test('Bedrock ids, reasoning, CS-3 speeds and vLLM parsers', () => {
      expect(getModelSpec('qwen.qwen3-32b-v1:0')).toMatchObject({ name: 'qwen3-32b', reasoning: true, cs3DecodeTokensPerSecond: 2600, vllm: { toolCallParser: 'hermes', reasoningParser: 'qwen3' } });
      expect(getModelSpec('qwen.qwen3-coder-480b-a35b-v1:0')).toMatchObject({ reasoning: false, cs3DecodeTokensPerSecond: 2000, vllm: { toolCallParser: 'qwen3_coder' } });
      expect(getModelSpec('gpt-oss-120b')).toMatchObject({ reasoning: true, cs3DecodeTokensPerSecond: 3000, contextWindow: 131_072 });
      expect(getModelSpec('llama-3.1-8b-instruct')).toMatchObject({ reasoning: false, vllm: { toolCallParser: 'llama3_json' } });
    });
  });
});

test('every catalog model has the shape the timing rules need: query heads a multiple of its KV heads, MoE counts consistent', () => {
  for (const model of MODEL_CATALOG) {
    expect(model.attentionHeads % model.kvHeads).toBe(0);
    const active = model.activeParametersBillions ?? model.parametersBillions;
    expect(active).toBeLessThanOrEqual(model.parametersBillions);
    if (model.experts) expect(model.experts.perToken).toBeLessThan(model.experts.total);
    else expect(active).toBe(model.parametersBillions);
  }
});
