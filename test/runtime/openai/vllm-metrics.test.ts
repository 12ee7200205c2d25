import { getModelSpec } from '../../../lib/hardware';
import { createDecodeWorker } from '../../../lib/mock/decode-worker';
import { createPrefillWorker } from '../../../lib/mock/prefill-worker';
import type { GatewayRequest } from '../../../lib/runtime/http/http-types';
import { readBody } from '../../../lib/runtime/http/http-types';
import { metricsLoadReader, parseReportedLoad, renderReportedLoad } from '../../../lib/runtime/openai/vllm-metrics';
import { nodeFetch } from '../../../lib/runtime/routing/node-fetch';
import { startNodeServer } from '../../../lib/runtime/server/node-server';

// An excerpt of a data-parallel vLLM server's /metrics (two engines), in prometheus_client's text
// format: HELP and TYPE lines, labelled samples, a histogram, and a gauge whose name begins with
// another's (newer vLLM's per-reason waiting count), which must not count twice.
const VLLM_PAGE = `# HELP python_gc_objects_collected_total Objects collected during gc
# TYPE python_gc_objects_collected_total counter
python_gc_objects_collected_total{generation="0"} 12831.0
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.3-70B-Instruct"} 7.0
vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.3-70B-Instruct"} 5.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.3-70B-Instruct"} 2.0
vllm:num_requests_waiting{engine="1",model_name="a \\"quoted\\" {odd} name"} 1.0 1718000000000
# HELP vllm:num_requests_waiting_by_reason Number of requests waiting, by reason.
# TYPE vllm:num_requests_waiting_by_reason gauge
vllm:num_requests_waiting_by_reason{engine="0",model_name="m",reason="capacity"} 40.0
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="m"} 0.0
vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} 12.5
`;

test("vLLM's load gauges, summed over its engines", () => {
  expect(parseReportedLoad(VLLM_PAGE)).toEqual({ running: 12, waiting: 3 });
  expect(parseReportedLoad('vllm:num_requests_running 4')).toEqual({ running: 4, waiting: 0 });
  expect(parseReportedLoad('# only comments\nprocess_open_fds 12.0\n')).toBeUndefined();
  expect(parseReportedLoad('vllm:num_requests_running{engine="0"} NaN\n')).toBeUndefined();
});

test('what the mock workers write reads back', () => {
  const page = renderReportedLoad({ running: 2, waiting: 9 }, 'meta-llama/Llama-3.3-70B-Instruct');
  expect(page).toContain('vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.3-70B-Instruct"} 2.0');
  expect(parseReportedLoad(page)).toEqual({ running: 2, waiting: 9 });
});

const MODEL = getModelSpec('llama-3.3-70b-instruct');
const post = (path: string, body: unknown, signal: AbortSignal): GatewayRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
  signal,
});
const get = (path: string): GatewayRequest => ({ method: 'GET', path, headers: {}, body: new Uint8Array(), signal: new AbortController().signal });
const loadOf = async (handle: (r: GatewayRequest) => Promise<{ body: Uint8Array | AsyncIterable<Uint8Array> }>) =>
  parseReportedLoad(Buffer.from(await readBody((await handle(get('/metrics'))).body)).toString('utf8'));

test("a mock prefill worker reports the prompts it computes and those waiting their turn", async () => {
  const worker = createPrefillWorker({ model: MODEL, faults: { delayMs: 60_000 } });
  expect(await loadOf(worker.handle)).toEqual({ running: 0, waiting: 0 });
  const abort = new AbortController();
  const prefill = { model: MODEL.huggingFaceId, prompt: 'hello there', max_tokens: 1, kv_transfer_params: { do_remote_decode: true } };
  const pending = [1, 2, 3].map(() => worker.handle(post('/v1/completions', prefill, abort.signal)).catch(() => undefined));
  expect(await loadOf(worker.handle)).toEqual({ running: 1, waiting: 2 });
  abort.abort(new Error('client gone'));
  await Promise.all(pending);
  expect(await loadOf(worker.handle)).toEqual({ running: 0, waiting: 0 });
});

test('a mock decode worker reports its streams as running until they end', async () => {
  const worker = createDecodeWorker({ model: MODEL });
  const abort = new AbortController();
  const decode = { model: MODEL.huggingFaceId, prompt: 'hello there', max_tokens: 50, stream: true };
  const answer = await worker.handle(post('/v1/completions', decode, abort.signal));
  expect(await loadOf(worker.handle)).toEqual({ running: 1, waiting: 0 });
  await readBody(answer.body);
  expect(await loadOf(worker.handle)).toEqual({ running: 0, waiting: 0 });
});

test('the router reads a worker load over HTTP; a worker without vLLM gauges, or one that is gone, has none', async () => {
  const worker = await startNodeServer(createPrefillWorker({ model: MODEL }).handle);
  const plain = await startNodeServer(async () => ({ status: 404, headers: {}, body: Buffer.from('no such route') }));
  try {
    const read = metricsLoadReader(nodeFetch);
    const signal = () => AbortSignal.timeout(10_000);
    expect(await read(worker.url, signal())).toEqual({ running: 0, waiting: 0 });
    expect(await read(plain.url, signal())).toBeUndefined();
    expect(await read('http://127.0.0.1:1', signal())).toBeUndefined();
  } finally {
    await worker.close();
    await plain.close();
  }
});
