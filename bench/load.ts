/**
 * Pieces the benchmark and the profiler share: the bench processes, the load generator, and
 * the two ways of making one Converse's worth of calls (through the gateway, or directly).
 * Every HTTP call, the load generator's and the router's, uses the same client (nodeFetch,
 * keep-alive HTTP/1.1), so a ratio measures the gateway, not a difference between HTTP clients.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RegistryConfig } from '../lib/runtime/routing/registry-config';
import { CompletionResponse, PATHS } from '../lib/runtime/openai/worker-protocol';
import { readSseBatches } from '../lib/runtime/openai/sse';
import { nodeFetch } from '../lib/runtime/routing/node-fetch';

export const ANSWER_TOKENS = 16;
export const PROMPT = 'Summarise the benefits of running prefill and decode on different hardware.';
export const MODEL_ID = 'us.meta.llama3-3-70b-instruct-v1:0';

export interface Result {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

/** What one run of calls produced; runs of the same side are pooled with `summarise`. */
export interface Run {
  readonly latencies: number[];
  readonly seconds: number;
  readonly failed: number;
}

/** Runs `requests` calls, `concurrency` at a time. */
export async function measure(requests: number, concurrency: number, call: () => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) {
        const t0 = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t0);
        } catch {
          failed++;
        }
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000, failed };
}

/** Throughput (successful calls over the runs' total time) and latency percentiles of pooled runs. */
export function summarise(runs: Run[]): Result {
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), failed: runs.reduce((sum, run) => sum + run.failed, 0) };
}

/** Converse through the gateway, as a plain HTTP/1.1 JSON call (no SDK cost in the figure). */
export function viaGateway(endpoint: string): () => Promise<void> {
  const url = `${endpoint}/model/${encodeURIComponent(MODEL_ID)}/converse`;
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: PROMPT }] }], inferenceConfig: { maxTokens: ANSWER_TOKENS } });
  return async () => {
    const response = await nodeFetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const answer = (await response.json()) as { usage?: { outputTokens?: number } };
    if (response.status !== 200 || answer.usage?.outputTokens !== ANSWER_TOKENS) throw new Error(`gateway answered ${response.status}`);
  };
}

/** The router's two worker calls made directly: prefill with do_remote_decode, then the streamed decode pulling the KV. */
export function direct(registry: RegistryConfig): () => Promise<void> {
  const route = registry.models[0];
  const messages = [{ role: 'user', content: PROMPT }];
  let turn = 0;
  return async () => {
    const prefillUrl = route.prefillUrls[turn++ % route.prefillUrls.length];
    const prefill = await nodeFetch(prefillUrl + PATHS.chatCompletions, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: route.prefillModel, messages, max_tokens: 1, kv_transfer_params: { do_remote_decode: true } }),
    });
    const answer = (await prefill.json()) as CompletionResponse;
    const decode = await nodeFetch(route.decode.url + PATHS.chatCompletions, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: route.decode.model,
        messages,
        max_tokens: ANSWER_TOKENS,
        stream: true,
        stream_options: { include_usage: true },
        kv_transfer_params: { ...answer.kv_transfer_params, do_remote_prefill: true },
      }),
    });
    let events = 0;
    for await (const batch of readSseBatches(decode.body!)) events += batch.length;
    if (decode.status !== 200 || events < ANSWER_TOKENS) throw new Error(`decode answered ${decode.status}`);
  };
}

/**
 * Starts `bench/serve.ts <args>` in its own Node process (`nodeFlags` e.g. `--cpu-prof`) and
 * resolves with the line it reports when ready (over IPC, so its stdout stays its own: the
 * gateway's stdout carries its per-request log lines, which go to /dev/null here).
 */
export function serve(args: string[], children: ChildProcess[], nodeFlags: string[] = []): Promise<string> {
  const devNull = fs.openSync('/dev/null', 'w');
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(__dirname, 'serve.ts'), ...args], {
    stdio: ['ignore', devNull, 'inherit', 'ipc'],
  });
  fs.closeSync(devNull);
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (line) => resolve(String(line)));
    child.on('exit', (code) => reject(new Error(`bench/serve.ts ${args[0]} exited with ${code}`)));
  });
}

/** Stops bench processes and waits until they have exited (profiles are written on exit). */
export async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}
