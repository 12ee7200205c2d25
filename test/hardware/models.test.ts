import { MODEL_CATALOG, getModelSpec, kvCacheBytesPerToken } from '../../lib/hardware';

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
