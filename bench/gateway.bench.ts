/**
 * Gateway overhead benchmark (`npm run bench`). With zero-latency mock workers it measures
 * Converse through the gateway against the same worker calls made directly (prefill, then
 * the streamed decode with the KV hand-off), at several concurrencies (in alternating rounds),
 * and the token rate of one long ConverseStream against the decode worker's own stream (median
 * of several). Not a test: it prints figures.
 * Every HTTP call, the load generator's and the router's, uses the same client (nodeFetch), so
 * the ratio measures the gateway, not a difference between HTTP clients.
 */
import * as os from 'node:os';
import { RegistryConfig } from '../lib/runtime/routing/registry-config';
import { PATHS } from '../lib/runtime/openai/worker-protocol';
import { readSseBatches } from '../lib/runtime/openai/sse';
import { nodeFetch } from '../lib/runtime/routing/node-fetch';
import { ChildProcess } from 'node:child_process';
import { ANSWER_TOKENS, direct, measure, MODEL_ID, PROMPT, Run, serve, stop, summarise, viaGateway } from './load';

const CONCURRENCIES = [1, 16, 64];
/** Requests per measurement: bounded so the whole run takes a minute or two on 2 cores. */
const REQUESTS: Record<number, number> = { 1: 300, 16: 1500, 64: 1500 };
const WARMUP = 100;
/** Each side's requests at a concurrency are split into this many rounds, alternating with the other side's. */
const ROUNDS = 3;
/** The long stream's length; also the mock decode's natural answer length (Converse calls cap it with maxTokens). */
const LONG_STREAM_TOKENS = 8192;
/** Long streams measured on each side (alternating); the figure is their median. */
const STREAM_RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The payload of the last event-stream frame in a body (the ConverseStream `metadata` event),
 * found by the frames' length preludes so the figure carries no decoding cost.
 */
async function lastFramePayload(body: AsyncIterable<Uint8Array>): Promise<unknown> {
  let pending = Buffer.alloc(0);
  let last: Buffer | undefined;
  for await (const chunk of body) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
    let offset = 0;
    while (pending.length - offset >= 4 && pending.length - offset >= pending.readUInt32BE(offset)) {
      const length = pending.readUInt32BE(offset);
      const headersLength = pending.readUInt32BE(offset + 4);
      last = pending.subarray(offset + 12 + headersLength, offset + length - 4);
      offset += length;
    }
    pending = pending.subarray(offset);
  }
  return JSON.parse(last!.toString('utf8'));
}

async function gatewayStreamTokensPerSecond(endpoint: string): Promise<number> {
  const started = performance.now();
  const response = await nodeFetch(`${endpoint}/model/${encodeURIComponent(MODEL_ID)}/converse-stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: PROMPT }] }], inferenceConfig: { maxTokens: LONG_STREAM_TOKENS } }),
  });
  const metadata = (await lastFramePayload(response.body!)) as { usage: { outputTokens: number } };
  const tokens = metadata.usage.outputTokens;
  if (tokens !== LONG_STREAM_TOKENS) throw new Error(`stream gave ${tokens} tokens`);
  return tokens / ((performance.now() - started) / 1000);
}

async function decodeStreamTokensPerSecond(registry: RegistryConfig): Promise<number> {
  const route = registry.models[0];
  const started = performance.now();
  const response = await nodeFetch(route.decode.url + PATHS.chatCompletions, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // No KV params: the decode processes the prompt itself, the rest of the stream is identical.
    body: JSON.stringify({ model: route.decode.model, messages: [{ role: 'user', content: PROMPT }], max_tokens: LONG_STREAM_TOKENS, stream: true }),
  });
  let tokens = 0;
  for await (const batch of readSseBatches(response.body!)) {
    for (const data of batch) if (data.includes('"content":"') && !data.includes('"content":""')) tokens++;
  }
  if (tokens !== LONG_STREAM_TOKENS) throw new Error(`decode stream gave ${tokens} tokens`);
  return tokens / ((performance.now() - started) / 1000);
}

const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(8);

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    const registry = JSON.parse(await serve(['workers', String(LONG_STREAM_TOKENS)], children)) as RegistryConfig;
    const endpoint = await serve(['gateway', JSON.stringify(registry)], children);
    const gateway = viaGateway(endpoint);
    const workers = direct(registry);
    await measure(WARMUP, 8, gateway);
    await measure(WARMUP, 8, workers);

    console.log(`Converse, ${ANSWER_TOKENS} output tokens, zero-latency mock workers; workers, gateway and load generator in separate processes`);
    console.log('(the gateway writes its per-request embedded-metric log line to its stdout, which is /dev/null here)');
    console.log(`(${os.cpus().length} CPUs, Node ${process.version})`);
    console.log('concurrency  requests |   gateway req/s   p50 ms   p99 ms failed |    direct req/s   p50 ms   p99 ms failed | ratio');
    let worst = Infinity;
    let failures = 0;
    for (const concurrency of CONCURRENCIES) {
      const requests = REQUESTS[concurrency];
      // Alternating rounds, so a change in other load on the machine hits both sides alike.
      const gwRuns: Run[] = [];
      const directRuns: Run[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        gwRuns.push(await measure(requests / ROUNDS, concurrency, gateway));
        directRuns.push(await measure(requests / ROUNDS, concurrency, workers));
      }
      const viaGw = summarise(gwRuns);
      const viaDirect = summarise(directRuns);
      const ratio = viaGw.rps / viaDirect.rps;
      worst = Math.min(worst, ratio);
      failures += viaGw.failed + viaDirect.failed;
      console.log(
        `${String(concurrency).padStart(11)} ${String(requests).padStart(9)} | ${fmt(viaGw.rps)} ${fmt(viaGw.p50, 2)} ${fmt(viaGw.p99, 2)} ${String(viaGw.failed).padStart(6)} |` +
          ` ${fmt(viaDirect.rps)} ${fmt(viaDirect.p50, 2)} ${fmt(viaDirect.p99, 2)} ${String(viaDirect.failed).padStart(6)} | ${ratio.toFixed(2)}`,
      );
    }

    // One stream lasts tens of milliseconds, so one sample is mostly noise: after a warm-up of
    // each (the gateway's event-stream path has not run yet), alternate them and take medians.
    await gatewayStreamTokensPerSecond(endpoint);
    await decodeStreamTokensPerSecond(registry);
    const gwRuns: number[] = [];
    const decodeRuns: number[] = [];
    for (let run = 0; run < STREAM_RUNS; run++) {
      gwRuns.push(await gatewayStreamTokensPerSecond(endpoint));
      decodeRuns.push(await decodeStreamTokensPerSecond(registry));
    }
    const gwTps = median(gwRuns);
    const decodeTps = median(decodeRuns);
    console.log(`\nOne ConverseStream of ${LONG_STREAM_TOKENS} tokens, median of ${STREAM_RUNS} runs each (plain HTTP/1.1 reader on both sides):`);
    console.log(`  through the gateway: ${gwTps.toFixed(0)} tokens/s; the decode worker's own stream: ${decodeTps.toFixed(0)} tokens/s; ratio ${(gwTps / decodeTps).toFixed(2)}`);
    const met = worst >= 0.7 && failures === 0;
    console.log(`\nTarget (gateway >= 0.7 of direct throughput, zero failed requests): ${met ? 'met' : 'NOT met'} (worst ratio ${worst.toFixed(2)}, ${failures} failed)`);
  } finally {
    await stop(children);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
