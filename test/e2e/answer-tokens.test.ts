import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, MockTiming, startMockCluster } from '../../lib/mock';
import { bedrockClient, readConverseStream, userSays } from './helpers';

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
let mock: MockCluster | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

test('answerTokens sets the length of the answer, still capped by maxTokens', async () => {
  mock = await startMockCluster({ timing: MockTiming.NONE, answerTokens: 600, prefillWorkers: 1, gateway: { telemetry: () => undefined } });
  const client = bedrockClient(mock.endpoint);
  const whole = await client.send(new ConverseCommand({ modelId: MODEL, messages: userSays('go on'), inferenceConfig: { maxTokens: 2000 } }));
  expect(whole.usage?.outputTokens).toBe(600);
  expect(whole.stopReason).toBe('end_turn');
  const capped = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: userSays('go on'), inferenceConfig: { maxTokens: 150 } }));
  const stream = await readConverseStream(capped.stream!);
  expect(stream.metadata?.usage?.outputTokens).toBe(150);
  expect(stream.stopReason).toBe('max_tokens');
});

test('answerTokens must be a positive integer', async () => {
  await expect(startMockCluster({ answerTokens: 0 })).rejects.toThrow('answerTokens must be a positive integer; got 0.');
});
