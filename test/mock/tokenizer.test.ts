import { answerFor } from '../../lib/mock/text-generator';
import { promptTokenIds, renderChat, tokenize } from '../../lib/mock/tokenizer';

test('generated text re-tokenizes to exactly the tokens generated, so usage and CountTokens agree', () => {
  const answer = answerFor(promptTokenIds({ prompt: 'any prompt at all' }), 200);
  const text = Array.from({ length: answer.naturalLength }, (_, i) => answer.token(i)).join('');
  expect(tokenize(text)).toHaveLength(200);
});

test('the chat template follows Llama 3 and counts its markers as single tokens', () => {
  const rendered = renderChat([{ role: 'user', content: 'Hi there' }]);
  expect(rendered).toBe('<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
  expect(tokenize(rendered)).toEqual(['<|begin_of_text|>', '<|start_header_id|>', 'user', '<|end_header_id|>', 'Hi', 'there', '<|eot_id|>', '<|start_header_id|>', 'assistant', '<|end_header_id|>']);
});
