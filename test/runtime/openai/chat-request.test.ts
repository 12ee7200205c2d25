import { BedrockError } from '../../../lib/runtime/bedrock/errors';
import { parseChatRequest } from '../../../lib/runtime/openai/chat-request';
import { ModelRegistry } from '../../../lib/runtime/routing/registry';

// The OpenAI-compatible chat request in the router's terms: passed through, checked with OpenAI's ranges.

const route = new ModelRegistry({
  models: [{ modelIds: ['m'], prefillUrls: ['http://p'], prefillModel: 'p', decode: { url: 'http://d', model: 'd', canIngestKv: true, maxStopSequences: 4 }, contextWindow: 1000, maxOutputTokens: 100 }],
}).find('m')!;
const refusal = (body: Record<string, unknown>) => {
  try {
    parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body }, route);
  } catch (e) {
    expect(e).toBeInstanceOf(BedrockError);
    return (e as BedrockError).message;
  }
  throw new Error('expected a refusal');
};

test('developer messages are system messages; content parts join; tools get tool_choice auto unless one is given', () => {
  const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
  const params = parseChatRequest(
    {
      model: 'm',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Use ' }, { type: 'text', text: 'f' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
      tools,
      max_completion_tokens: 7,
      max_tokens: 9,
      stop: 'END',
      top_k: 5,
    },
    route,
  );
  expect(params.prompt).toEqual({
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Use f' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'done' },
    ],
    tools,
    tool_choice: 'auto',
  });
  expect(params).toMatchObject({ maxTokens: 7, stopSequences: ['END'], extra: { top_k: 5 }, stream: false, includeUsage: false });
  expect(parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, route).prompt).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
});

test.each([
  ['n above 1', { n: 2 }, 'n must be 1; this endpoint returns one choice; got 2.'],
  ['an image part', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'messages[0].content[0] must be a text part ({"type": "text", "text": ...}); this endpoint takes text only.'],
  ['a function-role message', { messages: [{ role: 'function', content: 'x' }] }, 'messages[0].role must be "system", "developer", "user", "assistant" or "tool"; got "function".'],
  ['temperature past OpenAI\'s 2', { temperature: 2.5 }, 'temperature must be a number from 0 to 2; got 2.5.'],
  ['more stop sequences than the endpoint takes', { stop: ['a', 'b', 'c', 'd', 'e'] }, "stop has 5 sequences; this model's standard decode endpoint takes at most 4."],
  ['tool_choice naming no tool', { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } }, 'tool_choice names "g", which is not one of tools.'],
  ['tool_choice required without tools', { tool_choice: 'required' }, 'tool_choice "required" needs tools.'],
  ['structured output', { response_format: { type: 'json_schema' } }, 'response_format other than {"type": "text"} is not supported by this endpoint.'],
])('%s is refused', (_name, body, message) => {
  expect(refusal(body)).toBe(message);
});
