import { getModelSpec } from '../../lib/hardware';
import { modelServeArgs } from '../../lib/fleet/vllm-server';

describe('the vLLM flags a catalog model needs', () => {
  test.each([
    ['llama-3.3-70b-instruct', ['--enable-auto-tool-choice', '--tool-call-parser', 'llama3_json', '--enable-prompt-tokens-details']],
    ['gpt-oss-120b', ['--enable-auto-tool-choice', '--tool-call-parser', 'openai', '--reasoning-parser', 'openai_gptoss', '--enable-prompt-tokens-details']],
    ['qwen3-32b', ['--enable-auto-tool-choice', '--tool-call-parser', 'hermes', '--reasoning-parser', 'qwen3', '--enable-prompt-tokens-details']],
    // Qwen3-Coder does not think: the qwen3 reasoning parser would take its whole answer for reasoning.
    ['qwen3-coder-480b-a35b-instruct', ['--enable-auto-tool-choice', '--tool-call-parser', 'qwen3_coder', '--enable-prompt-tokens-details']],
  ])('%s', (name, flags) => {
    expect(modelServeArgs(getModelSpec(name), [])).toEqual(flags);
  });

  test('none for a model outside the catalog, or when the extra arguments pick a parser', () => {
    expect(modelServeArgs(undefined, [])).toEqual([]);
    expect(modelServeArgs(getModelSpec('gpt-oss-120b'), ['--tool-call-parser', 'hermes'])).toEqual([]);
  });
});
