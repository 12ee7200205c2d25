import OpenAI from 'openai';
import { MockCluster, startMockCluster } from '../../lib/mock';

// The OpenAI-compatible path (/openai/v1) through the `openai` npm client, as Bedrock Runtime has one.

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Get the weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];

let cluster: MockCluster;
let client: OpenAI;
beforeAll(async () => {
  cluster = await startMockCluster({ models: ['llama-3.3-70b-instruct', 'gpt-oss-120b'], gateway: { telemetry: () => undefined } });
  client = new OpenAI({ baseURL: `${cluster.endpoint}/openai/v1`, apiKey: 'local', maxRetries: 0 });
});
afterAll(() => cluster.close());

test('models.list() and models.retrieve() name the served model ids', async () => {
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  expect(ids).toEqual(cluster.modelIds);
  expect(await client.models.retrieve(MODEL)).toEqual({ id: MODEL, object: 'model', created: 0, owned_by: 'system' });
});

test('a chat completion: text, finish_reason stop, usage with the cached prompt tokens', async () => {
  const answer = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }], max_completion_tokens: 6 });
  expect(answer.object).toBe('chat.completion');
  expect(answer.choices[0].message).toEqual({ role: 'assistant', content: expect.any(String) });
  expect(answer.choices[0].finish_reason).toBe('length');
  expect(answer.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 6, total_tokens: answer.usage!.prompt_tokens + 6, prompt_tokens_details: { cached_tokens: 0 } });
});

test('tools: a call with tool_calls and finish_reason tool_calls; the tool message comes back and the answer uses it', async () => {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Use get_weather for Paris' }];
  const call = await client.chat.completions.create({ model: MODEL, messages, tools, tool_choice: 'required' });
  expect(call.choices[0].finish_reason).toBe('tool_calls');
  const toolCall = call.choices[0].message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
  expect(toolCall).toEqual({ id: expect.any(String), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
  const answer = await client.chat.completions.create({
    model: MODEL,
    tools,
    messages: [...messages, call.choices[0].message, { role: 'tool', tool_call_id: toolCall.id, content: '{"tempC":21}' }],
  });
  expect(answer.choices[0].message.content).toBe('The get_weather tool returned {"tempC":21}.');
});

test('the stream helper (role first, type on the first tool-call piece, a finish reason) puts a tool call together', async () => {
  const stream = client.chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: 'Use get_weather for Paris' }], tools });
  const pieces: string[] = [];
  stream.on('tool_calls.function.arguments.delta', (event) => pieces.push(event.arguments_delta));
  const final = await stream.finalChatCompletion();
  expect(final.choices[0].finish_reason).toBe('tool_calls');
  expect(final.choices[0].message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
  expect(pieces.length).toBeGreaterThan(3);
});

test('a streamed text answer spells the buffered one; include_usage adds the usage chunk', async () => {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Explain disaggregated inference.' }];
  const whole = await client.chat.completions.create({ model: MODEL, messages });
  const chunks = [];
  for await (const chunk of await client.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } })) chunks.push(chunk);
  expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
  expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(whole.choices[0].message.content);
  expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBe(whole.usage!.completion_tokens);
  expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: whole.usage });
});

test('runTools(): the client runs the tool the model asks for, and the conversation ends in text', async () => {
  const runner = client.chat.completions.runTools({
    model: MODEL,
    messages: [{ role: 'user', content: 'Use get_weather for Paris' }],
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Get the weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          parse: (args: string) => JSON.parse(args) as { city: string },
          function: (args: { city: string }) => ({ city: args.city, tempC: 21 }),
        },
      },
    ],
  });
  expect(await runner.finalContent()).toBe('The get_weather tool returned {"city":"Paris","tempC":21}.');
});

test("a reasoning model's reasoning comes in vLLM's `reasoning` field, streamed and not", async () => {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Why split prefill from decode?' }];
  const answer = await client.chat.completions.create({ model: 'openai.gpt-oss-120b-1:0', messages });
  const reasoning = (answer.choices[0].message as unknown as { reasoning: string }).reasoning;
  expect(reasoning).toMatch(/\w+/);
  let streamed = '';
  for await (const chunk of await client.chat.completions.create({ model: 'openai.gpt-oss-120b-1:0', messages, stream: true })) {
    streamed += (chunk.choices[0]?.delta as { reasoning?: string } | undefined)?.reasoning ?? '';
  }
  expect(streamed).toBe(reasoning);
});

test('errors in OpenAI shape, with the status the client maps to its error classes', async () => {
  const unknown = await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
  expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
  expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({ type: 'not_found_error', code: 'ResourceNotFoundException' });
  const bad = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], temperature: 3 }).catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
  expect((bad as Error).message).toMatch(/temperature must be a number from 0 to 2; got 3/);
  const route = await fetch(`${cluster.endpoint}/openai/v1/embeddings`, { method: 'POST', body: '{}' });
  expect(route.status).toBe(404);
  expect(await route.json()).toMatchObject({ error: { type: 'not_found_error', code: 'UnknownOperationException' } });
});
