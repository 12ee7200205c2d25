import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { MockTiming, MockWorkers, startMockWorkers } from '../../lib/mock';
import { BedrockGateway } from '../../lib/runtime/bedrock/gateway';
import { RunningServer, startNodeServer } from '../../lib/runtime/server/node-server';
import { bedrockClient, TRANSPORTS, userSays } from './helpers';

/** Every kind of id a Bedrock client may send, as a registry would list them. */
const IDS = [
  'meta.llama3-3-70b-instruct-v1:0',
  'us.meta.llama3-3-70b-instruct-v1:0',
  'eu.meta.llama3-3-70b-instruct-v1:0',
  'global.meta.llama3-3-70b-instruct-v1:0',
  'arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-3-70b-instruct-v1:0',
  'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.meta.llama3-3-70b-instruct-v1:0',
];

let workers: MockWorkers;
let server: RunningServer;
beforeAll(async () => {
  workers = await startMockWorkers({ timing: MockTiming.NONE, prefillWorkers: 1 });
  const gateway = new BedrockGateway({
    registry: { models: [{ ...workers.registry.models[0], modelIds: IDS }] },
    telemetry: () => undefined,
  });
  server = await startNodeServer((request) => gateway.handle(request));
});
afterAll(async () => {
  await server.close();
  await workers.close();
});

describe.each(TRANSPORTS)('over %s', (transport) => {
  test.each(IDS)('the registry id %s reaches the model, URL-encoded in one path segment', async (modelId) => {
    const answer = await bedrockClient(server.url, transport).send(
      new ConverseCommand({ modelId, messages: userSays('hi'), inferenceConfig: { maxTokens: 2 } }),
    );
    expect(answer.usage?.outputTokens).toBe(2);
  });
});

test('the registry refuses an id listed for two models, naming it', () => {
  const model = workers.registry.models[0];
  expect(() => new BedrockGateway({ registry: { models: [model, model] } })).toThrow(
    `Model id ${model.modelIds[0]} appears twice in the registry; each id must name one model.`,
  );
});
