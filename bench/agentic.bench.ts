/**
 * `npm run bench:agentic [-- --conversations 32 --turns 20 --seed 1]`: replays a multi-turn agentic
 * trace (agentic-trace.ts: 32 conversations of 20 turns, an 8k-token shared system prompt and tools,
 * 500 to 3,000 tokens of tool output and 100 to 300 output tokens a turn) through the mock in
 * realistic timing, Llama 3.3 70B on 4 trn2.48xlarge prefill and 2 trn2.48xlarge decode workers
 * (a Trainium decode fleet, which takes KV over EFA and whose threshold for conditional
 * disaggregation is not 0), once per routing setup, each on fresh workers (empty caches):
 *
 *   (a) round-robin, always disaggregated (vLLM's example proxy)
 *   (b) least-loaded, always disaggregated (the router before issue 10)
 *   (c) prefix-aware, always disaggregated
 *   (d) prefix-aware with conditional disaggregation (the threshold derived from the timing rules)
 *
 * Every worker has its prefix cache (vLLM's automatic prefix caching is on by default), so what
 * differs is where the router sends each turn. The figures come from the gateway's own log lines
 * (time to first token and per output token, input and cache-read tokens, the disaggregation
 * taken) and the decode workers' count of KV pulled, at the catalog's full size. A benchmark, not a
 * timed test: it takes minutes, mostly the turns' decode time.
 */
import { agenticTrace, turnRequest, type AgenticTrace, type TraceMessage } from './agentic-trace';
import { MockTiming, startMockCluster } from '../lib/mock';
import { nodeFetch } from '../lib/runtime/routing/node-fetch';
import { Routing } from '../lib/runtime/routing/routing';

const MODEL_ID = 'us.meta.llama3-3-70b-instruct-v1:0';
/** Limits no turn should reach, even queued behind the others on round-robin. */
const TIMEOUTS = { prefillMs: 300_000, firstTokenMs: 300_000, interTokenMs: 60_000, totalMs: 900_000 };
/** Conversations start this far apart, so the first turns do not all arrive in the same instant. */
const START_SPACING_MS = 100;

interface Setup {
  readonly label: string;
  readonly routing: Routing;
  readonly disaggregationThreshold: number | 'auto';
}

const SETUPS: readonly Setup[] = [
  { label: '(a) round-robin, always disaggregated', routing: Routing.ROUND_ROBIN, disaggregationThreshold: 0 },
  { label: '(b) least-loaded, always disaggregated', routing: Routing.LEAST_LOADED, disaggregationThreshold: 0 },
  { label: '(c) prefix-aware', routing: Routing.PREFIX_AWARE, disaggregationThreshold: 0 },
  { label: '(d) prefix-aware + conditional disagg.', routing: Routing.PREFIX_AWARE, disaggregationThreshold: 'auto' },
];

interface Figures {
  readonly ttft: { p50: number; p90: number; p99: number };
  readonly tpotP50: number;
  readonly requestsPerSecond: number;
  /** Prompt tokens served from a prefix cache, of all prompt tokens. */
  readonly cacheHitRate: number;
  readonly kvBytesMoved: number;
  /** Turns conditional disaggregation sent straight to decode. */
  readonly localShare: number;
  readonly threshold: number;
  readonly requests: number;
  readonly failed: number;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function run(setup: Setup, trace: AgenticTrace): Promise<Figures> {
  const lines: Array<Record<string, unknown>> = [];
  const cluster = await startMockCluster({
    timing: MockTiming.REALISTIC,
    prefillWorkers: 4,
    decodeWorkers: 2,
    decodeInstanceType: 'trn2.48xlarge',
    disaggregationThreshold: setup.disaggregationThreshold,
    routing: setup.routing,
    // The trace sets each answer's length with maxTokens.
    answerTokens: 100_000,
    timeouts: TIMEOUTS,
    gateway: { telemetry: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const url = `${cluster.endpoint}/model/${encodeURIComponent(MODEL_ID)}/converse`;
  let failed = 0;
  const started = performance.now();
  try {
    await Promise.all(
      trace.conversations.map(async (conversation, index) => {
        await new Promise((resolve) => setTimeout(resolve, index * START_SPACING_MS));
        let history: TraceMessage[] = [];
        for (const turn of conversation.turns) {
          const { body, messages } = turnRequest(trace, history, turn);
          const response = await nodeFetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
          const answer = (await response.json()) as { output?: { message: { content: Array<{ text: string }> } } };
          if (response.status !== 200 || !answer.output) {
            failed++;
            return; // a conversation whose turn failed ends there
          }
          history = [...messages, { role: 'assistant', content: [{ text: answer.output.message.content[0].text }] }];
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const served = lines.filter((line) => line.Operation === 'Converse' && line.Outcome === 'success');
    const numbers = (field: string) => served.map((line) => line[field]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    const sum = (field: string) => numbers(field).reduce((total, v) => total + v, 0);
    const ttft = numbers('TimeToFirstToken');
    const kvBytesMoved = cluster.models[0].decodeWorkers.reduce((total, d) => total + d.worker.stats().pulledKvBytes, 0);
    return {
      ttft: { p50: percentile(ttft, 0.5), p90: percentile(ttft, 0.9), p99: percentile(ttft, 0.99) },
      tpotP50: percentile(numbers('TimePerOutputToken'), 0.5),
      requestsPerSecond: served.length / seconds,
      cacheHitRate: sum('CacheReadInputTokens') / sum('InputTokens'),
      kvBytesMoved,
      localShare: served.filter((line) => line.Disaggregation === 'local').length / served.length,
      threshold: cluster.registry.models[0].disaggregationThreshold ?? 0,
      requests: served.length,
      failed,
    };
  } finally {
    await cluster.close();
  }
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a positive whole number; got ${process.argv[at + 1]}.`);
  return value;
}

const pad = (text: string, width: number) => text.padStart(width);
const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

async function main(): Promise<void> {
  const conversations = option('conversations', 32);
  const turns = option('turns', 20);
  const trace = agenticTrace({ conversations, turns, seed: option('seed', 1) });
  console.log(
    `Agentic trace: ${conversations} conversations x ${turns} turns, Llama 3.3 70B, realistic timing, ` +
      '4 trn2.48xlarge prefill + 2 trn2.48xlarge decode mock workers\n',
  );
  const results: Array<[Setup, Figures]> = [];
  for (const setup of SETUPS) {
    const figures = await run(setup, trace);
    results.push([setup, figures]);
    console.error(`  ${setup.label}: done (${figures.requests} turns, ${figures.failed} failed)`);
  }
  // The last column: the share of turns prefilled on the decode worker (conditional disaggregation: no KV hand-off).
  const header = ['TTFT p50', 'TTFT p90', 'TTFT p99', 'TPOT p50', 'req/s', 'cache hit', 'KV moved', 'on decode'];
  const widths = [10, 10, 10, 9, 7, 10, 10, 10];
  console.log(`${'policy'.padEnd(40)}${header.map((h, i) => pad(h, widths[i])).join('')}`);
  for (const [setup, f] of results) {
    const cells = [
      ms(f.ttft.p50),
      ms(f.ttft.p90),
      ms(f.ttft.p99),
      `${f.tpotP50.toFixed(1)} ms`,
      f.requestsPerSecond.toFixed(2),
      `${(f.cacheHitRate * 100).toFixed(1)}%`,
      gb(f.kvBytesMoved),
      `${(f.localShare * 100).toFixed(0)}%`,
    ];
    console.log(`${setup.label.padEnd(40)}${cells.map((c, i) => pad(c, widths[i])).join('')}`);
  }
  const [a, b, , d] = results.map(([, f]) => f);
  const vsA = a.ttft.p50 / d.ttft.p50;
  const vsB = b.ttft.p50 / d.ttft.p50;
  const fewerBytes = d.kvBytesMoved < a.kvBytesMoved && d.kvBytesMoved < b.kvBytesMoved;
  const met = vsA >= 5 && vsB >= 2 && fewerBytes;
  console.log(
    `\nconditional-disaggregation threshold: ${d.threshold} tokens (derived from the timing rules)\n` +
      `target: (d) TTFT p50 >= 5x lower than (a): ${vsA.toFixed(1)}x; >= 2x lower than (b): ${vsB.toFixed(1)}x; ` +
      `fewer KV bytes moved than (a) and (b): ${fewerBytes ? 'yes' : 'no'} -> ${met ? 'MET' : 'NOT MET'}`,
  );
  const failures = results.reduce((total, [, f]) => total + f.failed, 0);
  if (failures > 0) console.log(`${failures} turns failed`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
