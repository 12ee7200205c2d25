import { parseConverseChat } from '../../../lib/runtime/bedrock/converse-request';
import { BedrockError } from '../../../lib/runtime/bedrock/errors';

// Converse's messages, system and toolConfig in the tools protocol the workers serve.

const tool = { toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } };
const error = (body: Record<string, unknown>) => {
  try {
    parseConverseChat(body);
  } catch (e) {
    expect(e).toBeInstanceOf(BedrockError);
    expect((e as BedrockError).type.name).toBe('ValidationException');
    return (e as BedrockError).message;
  }
  throw new Error('expected a ValidationException');
};

test('system: [] is no system prompt; cachePoints anywhere leave the chat, the last becoming the hint to keep the prefix through it', () => {
  expect(parseConverseChat({ system: [], messages: [{ role: 'user', content: [{ text: 'hi' }, { cachePoint: { type: 'default' } }] }] })).toEqual({
    messages: [{ role: 'user', content: 'hi' }],
    prefix_cache_hint: { messages: 1, ttl_seconds: 300 },
  });
  expect(
    parseConverseChat({
      system: [{ text: 'Be ' }, { text: 'brief.' }, { cachePoint: { type: 'default', ttl: '1h' } }],
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      toolConfig: { tools: [tool, { cachePoint: { type: 'default' } }] },
    }),
  ).toEqual({
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: tool.toolSpec.inputSchema.json } }],
    tool_choice: 'auto',
    // The template renders the tools, then the system prompt: the point in system keeps both, for its hour.
    prefix_cache_hint: { messages: 1, ttl_seconds: 3600 },
  });
  // A point in a later message keeps the chat through that message (a tool result and text are two chat messages).
  const hint = parseConverseChat({
    messages: [
      { role: 'user', content: [{ text: 'Weather?' }, { cachePoint: { type: 'default' } }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'tu_1', name: 'get_weather', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tu_1', content: [{ text: 'sunny' }] } }, { text: 'And?' }, { cachePoint: { type: 'default', ttl: '1h' } }] },
    ],
    toolConfig: { tools: [tool] },
  }).prefix_cache_hint;
  expect(hint).toEqual({ messages: 4, ttl_seconds: 3600 });
});

test('toolUse becomes tool_calls (arguments as JSON text); toolResults become tool messages ahead of the text; reasoning is dropped', () => {
  const chat = parseConverseChat({
    messages: [
      { role: 'user', content: [{ text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { reasoningContent: { reasoningText: { text: 'I should call it.' } } },
          { text: 'Checking.' },
          { toolUse: { toolUseId: 'tu_1', name: 'get_weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 'tu_2', name: 'get_weather', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          { text: 'Here you go.' },
          { toolResult: { toolUseId: 'tu_1', content: [{ json: { tempC: 21 } }, { text: 'sunny' }], status: 'success' } },
          { toolResult: { toolUseId: 'tu_2', content: [{ text: 'timeout' }], status: 'error' } },
          { cachePoint: { type: 'default' } },
        ],
      },
    ],
    toolConfig: { tools: [tool], toolChoice: { any: {} } },
  });
  expect(chat.messages).toEqual([
    { role: 'user', content: 'Weather?' },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'tu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'tu_2', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'tu_1', content: '{"tempC":21}\nsunny' },
    { role: 'tool', tool_call_id: 'tu_2', content: 'Error: timeout' },
    { role: 'user', content: 'Here you go.' },
  ]);
  expect(chat.tool_choice).toBe('required');
});

test('an assistant turn of tool calls only has null content; one with nothing, empty text', () => {
  const chat = parseConverseChat({
    messages: [
      { role: 'user', content: [{ text: 'a' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'get_weather', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [] } }] },
    ],
    toolConfig: { tools: [tool] },
  });
  expect(chat.messages[1]).toEqual({ role: 'assistant', content: null, tool_calls: [expect.objectContaining({ id: 't' })] });
  expect(chat.messages[2]).toEqual({ role: 'tool', tool_call_id: 't', content: '' });
});

test('toolChoice: tool{name} is the named function, which must be one of the tools', () => {
  expect(parseConverseChat({ messages: [{ role: 'user', content: [{ text: 'a' }] }], toolConfig: { tools: [tool], toolChoice: { tool: { name: 'get_weather' } } } }).tool_choice).toEqual({
    type: 'function',
    function: { name: 'get_weather' },
  });
  expect(error({ messages: [{ role: 'user', content: [{ text: 'a' }] }], toolConfig: { tools: [tool], toolChoice: { tool: { name: 'other' } } } })).toBe(
    'toolConfig.toolChoice.tool.name names "other", which is not one of toolConfig.tools.',
  );
});

test.each([
  ['toolUse without a toolConfig, as Bedrock says', { messages: [{ role: 'user', content: [{ text: 'a' }] }, { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: {} } }] }, { role: 'user', content: [{ text: 'b' }] }] }, 'messages[1].content[0]: toolConfig field must be defined when using toolUse and toolResult content blocks.'],
  ['a toolUse in a user message', { messages: [{ role: 'user', content: [{ toolUse: { toolUseId: 't', name: 'f', input: {} } }] }], toolConfig: { tools: [tool] } }, 'messages[0].content[0] is a toolUse block; only assistant messages hold them.'],
  ['a toolUse input that is not an object', { messages: [{ role: 'user', content: [{ text: 'a' }] }, { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: '{"a":1}' } }] }, { role: 'user', content: [{ text: 'b' }] }], toolConfig: { tools: [tool] } }, 'messages[1].content[0].toolUse.input must be a JSON object; got "{\\"a\\":1}".'],
  ['a toolResult with an image', { messages: [{ role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ image: {} }] } }] }], toolConfig: { tools: [tool] } }, 'messages[0].content[0].toolResult.content[0] is a image block; tool results may hold text and json blocks only.'],
  ['a toolUseId Bedrock would refuse', { messages: [{ role: 'user', content: [{ toolResult: { toolUseId: 'a b', content: [] } }] }], toolConfig: { tools: [tool] } }, 'messages[0].content[0].toolResult.toolUseId must be 1 to 64 letters, digits, underscores or hyphens; got "a b".'],
  ['two tools of one name', { messages: [{ role: 'user', content: [{ text: 'a' }] }], toolConfig: { tools: [tool, tool] } }, 'toolConfig.tools[1].toolSpec.name "get_weather" is used by another tool.'],
  ['a system tool', { messages: [{ role: 'user', content: [{ text: 'a' }] }], toolConfig: { tools: [{ systemTool: { name: 'x' } }] } }, 'toolConfig.tools[0] is a systemTool entry; this endpoint takes toolSpec (and cachePoint) entries only.'],
  ['tools of cache points only', { messages: [{ role: 'user', content: [{ text: 'a' }] }], toolConfig: { tools: [{ cachePoint: { type: 'default' } }] } }, 'toolConfig.tools must hold at least one toolSpec.'],
  ['a cachePoint ttl Bedrock does not know', { messages: [{ role: 'user', content: [{ text: 'a' }, { cachePoint: { type: 'default', ttl: '2h' } }] }] }, 'messages[0].content[1].cachePoint.ttl must be "5m" or "1h"; got "2h".'],
  ['a guardContent system block', { system: [{ guardContent: { text: { text: 'x' } } }], messages: [{ role: 'user', content: [{ text: 'a' }] }] }, 'system[0] is a guardContent block; this endpoint accepts text blocks only (with toolUse, toolResult, reasoningContent and cachePoint blocks).'],
])('%s is refused, naming the field', (_name, body, message) => {
  expect(error(body as Record<string, unknown>)).toBe(message);
});
