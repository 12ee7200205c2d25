#!/usr/bin/env node
/**
 * Local mock mode: the whole disaggregated pipeline (Bedrock-compatible gateway, prefill
 * workers, KV hand-off, decode worker) on localhost. `npm run mock -- --help` lists the options.
 */
import { parseArgs } from 'node:util';
import { MockCluster, MockTiming, startMockCluster } from '../lib/mock';
import { Routing } from '../lib/runtime/routing/routing';

/** The process that started this one, read before anything else runs: it may be gone by the time the mock is up. */
const LAUNCHER = process.ppid;

const HELP = `Usage: npm run mock -- [options]

  --port N                   gateway port; 0 picks a free one (default 8080)
  --model NAME               catalog model to serve; repeat for several (default llama-3.3-70b-instruct)
  --prefill-workers N        prefill workers per model (default 2)
  --timing none|realistic    simulated stage times (default realistic)
  --prefill-instance-type T  instance type realistic prefill timing follows (default trn2.48xlarge)
  --decode-workers N         decode workers per model; the router picks one per request (default 1)
  --decode-instance-type T   the decode workers play a Trainium decode fleet of type T (default a CS-3)
  --routing P                round-robin, least-loaded or prefix-aware (default prefix-aware)
  --disaggregation-threshold N|auto   most uncached tokens a decode worker computes itself, skipping
                             prefill (default auto: derived from the prefill and decode hardware)
  --prompt-replay            the decode worker cannot ingest KV: the router replays the prompt
  --optimized-decode         a second decode worker per model, routed as its optimized latency tier
  --answer-tokens N          tokens the mock decode answers with, capped by maxTokens (default 12 to 60)
  --max-concurrency N        requests at once before ThrottlingException (default 128)
  --max-body-bytes N         largest request body (default 4194304)
  --body-timeout-ms N        time a request body has to arrive, HTTP/1.1 and HTTP/2 (default 30000)
  --max-connection-body-bytes N  body bytes one connection may buffer at once (default 8 x max body)
  --shutdown-grace-ms N      on SIGINT/SIGTERM, time requests in progress get to finish (default 5000)
  --first-token-timeout-ms N / --prefill-timeout-ms N   stage limits
Faults:
  --crash-prefill-workers N  the first N prefill workers drop every request
  --kv-lease-ms N            KV lease on the prefill workers; 0 expires it before the pull
  --break-kv-transfers       every KV transfer breaks halfway (the router replays the prompt instead)
  --slow-prefill-ms N        extra time per prefill answer
  --slow-decode-ms N         extra time before the first decoded token
  --break-decode-after N     the decode stream breaks after N tokens
  --malformed-tool-calls     tool calls come with their arguments' JSON cut short
  --quiet                    no per-request log lines
`;

function integer(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer of at least ${min}; got '${value}'.`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      model: { type: 'string', multiple: true },
      'prefill-workers': { type: 'string', default: '2' },
      timing: { type: 'string', default: 'realistic' },
      'prefill-instance-type': { type: 'string' },
      'decode-workers': { type: 'string' },
      'decode-instance-type': { type: 'string' },
      routing: { type: 'string' },
      'disaggregation-threshold': { type: 'string' },
      'prompt-replay': { type: 'boolean', default: false },
      'optimized-decode': { type: 'boolean', default: false },
      'answer-tokens': { type: 'string' },
      'max-concurrency': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'body-timeout-ms': { type: 'string' },
      'max-connection-body-bytes': { type: 'string' },
      'shutdown-grace-ms': { type: 'string' },
      'first-token-timeout-ms': { type: 'string' },
      'prefill-timeout-ms': { type: 'string' },
      'crash-prefill-workers': { type: 'string' },
      'kv-lease-ms': { type: 'string' },
      'break-kv-transfers': { type: 'boolean', default: false },
      'slow-prefill-ms': { type: 'string' },
      'slow-decode-ms': { type: 'string' },
      'break-decode-after': { type: 'string' },
      'malformed-tool-calls': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const cluster: MockCluster = await startMockCluster({
    port: integer(values.port, 'port'),
    models: values.model,
    prefillWorkers: integer(values['prefill-workers'], 'prefill-workers', 1),
    timing: MockTiming.of(values.timing!),
    prefillInstanceType: values['prefill-instance-type'],
    decodeWorkers: integer(values['decode-workers'], 'decode-workers', 1),
    decodeInstanceType: values['decode-instance-type'],
    ...(values.routing ? { routing: Routing.of(values.routing) } : {}),
    ...(values['disaggregation-threshold'] && values['disaggregation-threshold'] !== 'auto'
      ? { disaggregationThreshold: integer(values['disaggregation-threshold'], 'disaggregation-threshold') }
      : {}),
    promptReplay: values['prompt-replay'],
    optimizedDecode: values['optimized-decode'],
    answerTokens: integer(values['answer-tokens'], 'answer-tokens', 1),
    timeouts: {
      firstTokenMs: integer(values['first-token-timeout-ms'], 'first-token-timeout-ms', 1),
      prefillMs: integer(values['prefill-timeout-ms'], 'prefill-timeout-ms', 1),
    },
    faults: {
      crashedPrefillWorkers: integer(values['crash-prefill-workers'], 'crash-prefill-workers'),
      kvLeaseMs: integer(values['kv-lease-ms'], 'kv-lease-ms'),
      kvTransferBreaks: values['break-kv-transfers'],
      prefillDelayMs: integer(values['slow-prefill-ms'], 'slow-prefill-ms'),
      decodeDelayMs: integer(values['slow-decode-ms'], 'slow-decode-ms'),
      decodeBreakAfterTokens: integer(values['break-decode-after'], 'break-decode-after'),
      malformedToolCalls: values['malformed-tool-calls'],
    },
    server: {
      bodyTimeoutMs: integer(values['body-timeout-ms'], 'body-timeout-ms', 1),
      maxConnectionBodyBytes: integer(values['max-connection-body-bytes'], 'max-connection-body-bytes', 1),
      shutdownGraceMs: integer(values['shutdown-grace-ms'], 'shutdown-grace-ms'),
    },
    gateway: {
      maxConcurrentRequests: integer(values['max-concurrency'], 'max-concurrency', 1),
      maxBodyBytes: integer(values['max-body-bytes'], 'max-body-bytes', 1),
      // Without a sink the gateway logs with its default (stdout, one write per event-loop turn).
      telemetry: values.quiet ? () => undefined : undefined,
    },
  });

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) {
      process.stderr.write(`${why} again: exiting without waiting for requests in progress.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${why}: finishing requests in progress, then stopping.\n`);
    cluster.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  stopWithLauncher(() => stop('launcher gone'));

  // Ready only once it can be stopped: a harness may send SIGTERM as soon as it reads this.
  const modelId = cluster.modelIds.find((id) => id.startsWith('us.')) ?? cluster.modelIds[0];
  process.stdout.write(
    [
      `Bedrock-compatible endpoint: ${cluster.endpoint}`,
      ...cluster.modelIds.map((id) => `model: ${id}`),
      `OpenAI-compatible base URL: ${cluster.endpoint}/openai/v1`,
      '',
      'Try it (any credentials work):',
      `  import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';`,
      `  const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: '${cluster.endpoint}',`,
      `    credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });`,
      `  const answer = await client.send(new ConverseCommand({ modelId: '${modelId}',`,
      `    messages: [{ role: 'user', content: [{ text: 'Hello!' }] }] }));`,
      `  console.log(answer.output?.message?.content?.[0]?.text);`,
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
}

/**
 * Stops the mock when the process that started it goes. `npm run mock` runs it under a shell
 * (npm -> sh -> node); SIGTERM to npm's pid reaches the shell, which dies without passing it on,
 * and would leave this process serving the port. So the parent is watched and its end handled
 * as SIGTERM. Run directly (the compiled bin), the parent is the user's shell or process manager.
 */
function stopWithLauncher(stopNow: () => void): void {
  const watch = setInterval(() => {
    if (!launcherGone(LAUNCHER)) return;
    clearInterval(watch);
    stopNow();
  }, 250);
  watch.unref();
}

/**
 * Whether the launcher has exited. An orphan is handed to another parent (init or a subreaper)
 * the moment its parent exits, even while that one is a zombie nobody reaps, and `process.ppid`
 * is read live; where parents are not re-assigned, signal 0 asks whether the launcher still exists.
 */
function launcherGone(launcher: number): boolean {
  if (process.ppid !== launcher) return true;
  try {
    process.kill(launcher, 0);
    return false;
  } catch {
    return true;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${HELP}`);
  process.exit(2);
});
