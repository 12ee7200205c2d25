import { BedrockError } from '../../../lib/runtime/bedrock/errors';
import { Router } from '../../../lib/runtime/routing/router';
import { DECODE, input, OPTIMIZED_DECODE, PREFILL, registryOf, run, type Sent, workers } from './stub-workers';

// performanceConfig.latency: the optimized tier when the model has one and it can serve; the standard tier otherwise.

const tiered = registryOf({ optimizedDecode: { url: OPTIMIZED_DECODE, model: 'fast', canIngestKv: false } });
const optimized = (maxTokens = 100) => input(maxTokens, { route: tiered.find('m')!, latency: 'optimized' });
const decodeCalls = (sent: Sent) => sent.filter((call) => call.body.stream === true).map((call) => call.url.slice(0, call.url.indexOf('/v1')));

test('optimized without an optimized route is served by the standard one, and says so', async () => {
  const sent: Sent = [];
  const { end, generation } = await run(new Router({ fetch: workers({}, sent) }), input(100, { latency: 'optimized' }));
  expect(generation.latency).toBe('standard');
  expect(end.latency).toBe('standard');
  expect(decodeCalls(sent)).toEqual([DECODE]);
});

test("optimized goes to the optimized route, with that endpoint's own model and KV capability (prompt replay: no prefill)", async () => {
  const sent: Sent = [];
  const { end } = await run(new Router({ fetch: workers({}, sent) }), optimized());
  expect(end.latency).toBe('optimized');
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ url: `${OPTIMIZED_DECODE}/v1/chat/completions`, body: { model: 'fast' } });
  expect(sent[0].body.kv_transfer_params).toBeUndefined();
});

test('an optimized route at capacity (429) hands the request to the standard one; the next request tries it again', async () => {
  const sent: Sent = [];
  const router = new Router({ fetch: workers({ decodeStatus: { [OPTIMIZED_DECODE]: 429 } }, sent) });
  expect((await run(router, optimized())).end.latency).toBe('standard');
  await run(router, optimized());
  expect(decodeCalls(sent)).toEqual([OPTIMIZED_DECODE, DECODE, OPTIMIZED_DECODE, DECODE]);
});

test('an optimized route that fails sits out a cool-down: the standard one serves until it is over', async () => {
  let now = 1_000_000;
  const sent: Sent = [];
  const router = new Router({ fetch: workers({ decodeStatus: { [OPTIMIZED_DECODE]: 503 } }, sent), workerCoolDownMs: 5000, now: () => now });
  expect((await run(router, optimized())).end.latency).toBe('standard');
  await run(router, optimized());
  expect(decodeCalls(sent)).toEqual([OPTIMIZED_DECODE, DECODE, DECODE]);
  now += 5001;
  await run(router, optimized());
  expect(decodeCalls(sent).slice(3)).toEqual([OPTIMIZED_DECODE, DECODE]);
});

test('a standard decode endpoint at capacity is a ThrottlingException without the address, not retried on another prefill worker', async () => {
  const sent: Sent = [];
  const failure = await new Router({ fetch: workers({ decodeStatus: { [DECODE]: 429 } }, sent) }).generate(input()).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(BedrockError);
  expect((failure as BedrockError).type.name).toBe('ThrottlingException');
  expect((failure as BedrockError).message).toMatch(/decode: busy at <address>/);
  expect((failure as BedrockError).detail).toContain(DECODE);
  expect(sent.filter((call) => PREFILL.some((p) => call.url.startsWith(p)))).toHaveLength(1);
});
