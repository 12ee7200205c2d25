import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, Message } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, startMockCluster } from '../../lib/mock';
import { bedrockClient, rejection, TRANSPORTS, userSays } from './helpers';

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
/** Small enough that a prompt past the 128K-token context window still fits under it. */
const MAX_BODY_BYTES = 512 * 1024;

let cluster: MockCluster;
beforeAll(async () => {
  cluster = await startMockCluster({ gateway: { maxBodyBytes: MAX_BODY_BYTES, telemetry: () => undefined } });
});
afterAll(() => cluster.close());

const converseCommand = (overrides: Partial<ConstructorParameters<typeof ConverseCommand>[0]>) =>
  new ConverseCommand({ modelId: MODEL, messages: userSays('hello'), ...overrides });

describe.each(TRANSPORTS)('bad input over %s is a ValidationException naming the problem', (transport) => {
  type Call = (client: BedrockRuntimeClient) => Promise<unknown>;
  const invoke = (body: string): Call => (client) => client.send(new InvokeModelCommand({ modelId: MODEL, body, contentType: 'application/json' }));
  const converse = (overrides: Partial<ConstructorParameters<typeof ConverseCommand>[0]>): Call => (client) => client.send(converseCommand(overrides));
  const cases: Array<[string, Call, RegExp]> = [
    ['malformed JSON', invoke('{"prompt": "unterminated'), /not valid JSON/],
    ['no messages', converse({ messages: [] }), /messages must be a non-empty list/],
    ['an unknown role', converse({ messages: [{ role: 'system', content: [{ text: 'hi' }] } as unknown as Message] }), /role must be "user" or "assistant"; got "system"/],
    ['maxTokens 0', converse({ inferenceConfig: { maxTokens: 0 } }), /maxTokens must be an integer from 1 to 8192.*got 0/],
    ['maxTokens above the model limit', converse({ inferenceConfig: { maxTokens: 8193 } }), /got 8193/],
    ['temperature out of range', converse({ inferenceConfig: { temperature: 1.5 } }), /temperature must be a number from 0 to 1; got 1.5/],
    ['topP out of range', converse({ inferenceConfig: { topP: -0.1 } }), /topP must be a number from 0 to 1/],
    ['a non-text content block', converse({ messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes: new Uint8Array(1) } } }] }] }), /image block; this endpoint accepts text blocks only/],
    ['a tool whose name Bedrock would refuse', converse({ toolConfig: { tools: [{ toolSpec: { name: 'look up', inputSchema: { json: {} } } }] } }), /toolConfig.tools\[0\].toolSpec.name must be 1 to 64 letters, digits, underscores or hyphens; got "look up"/],
    ['a guardrail, which this endpoint cannot apply', converse({ guardrailConfig: { guardrailIdentifier: 'g', guardrailVersion: '1' } }), /guardrailConfig is not supported/],
    ['a native body without a prompt', invoke('{"max_gen_len": 5}'), /prompt must be a non-empty string/],
    // 140,000 one-letter words: 140,000 tokens, past the 131,072-token window, in ~280 KB.
    ['a prompt longer than the context window', converse({ messages: userSays('a '.repeat(140_000)) }), /prompt has 14\d{4} input tokens|context length is 131072/],
    ['a body over the size limit', converse({ messages: userSays('x'.repeat(MAX_BODY_BYTES + 1)) }), new RegExp(`limit of ${MAX_BODY_BYTES} bytes`)],
  ];

  test.each(cases)('%s', async (_name, call, message) => {
    const error = await rejection(call(bedrockClient(cluster.endpoint, transport)));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
  });

  test('ConverseStream refuses bad input before the stream starts', async () => {
    const error = await rejection(
      bedrockClient(cluster.endpoint, transport).send(
        new ConverseStreamCommand({ modelId: MODEL, messages: userSays('hi'), inferenceConfig: { maxTokens: 0 } }),
      ),
    );
    expect(error.name).toBe('ValidationException');
  });
});

test('malformed JSON and unknown routes on the wire get Bedrock error headers', async () => {
  const malformed = await fetch(`${cluster.endpoint}/model/${encodeURIComponent(MODEL)}/converse`, { method: 'POST', body: '{nope' });
  expect(malformed.status).toBe(400);
  expect(malformed.headers.get('x-amzn-errortype')).toBe('ValidationException');
  expect(await malformed.json()).toEqual({ message: 'The request body is not valid JSON.' });
  const unknown = await fetch(`${cluster.endpoint}/model/${encodeURIComponent(MODEL)}/summon`, { method: 'POST', body: '{}' });
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
});

test('after a burst of bad requests the server still answers good ones', async () => {
  const client = bedrockClient(cluster.endpoint);
  const bad = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) =>
      i % 2 ? client.send(converseCommand({ messages: [] })) : client.send(new InvokeModelCommand({ modelId: MODEL, body: '{', contentType: 'application/json' })),
    ),
  );
  expect(bad.every((r) => r.status === 'rejected' && (r.reason as Error).name === 'ValidationException')).toBe(true);
  const good = await client.send(converseCommand({ inferenceConfig: { maxTokens: 4 } }));
  expect(good.usage?.outputTokens).toBe(4);
  expect(cluster.gateway.inFlight).toBe(0);
});
