/**
 * The planner against the running system (`npm run bench:plan`): for each workload it simulates the
 * fleet, then sends the mock pipeline with realistic timing the same requests at the same times
 * (the same seeded arrivals and lengths), and prints predicted beside measured TTFT p50/p90 and
 * TPOT p50. The target is within 20% below saturation. Not a test: it prints figures. The mock's
 * decode worker plays one CS-3 endpoint that pulls the KV (as the simulation's decode tier does),
 * in front of N mock Trainium prefill workers.
 */
import { ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { getModelSpec } from '../lib/hardware';
import { MockTiming, startMockCluster } from '../lib/mock';
import {
  DecodeTier,
  KvHandoff,
  LengthDistribution,
  percentile,
  plannedRequests,
  PlannedRequest,
  RequestOutcome,
  ServingConfig,
  simulate,
  WARM_UP_SHARE,
  Workload,
} from '../lib/planning';
import { bedrockClient, userSays } from '../test/e2e/helpers';

const MODEL = getModelSpec('llama-3.3-70b-instruct');
const MODEL_ID = 'us.meta.llama3-3-70b-instruct-v1:0';
const CONFIG: ServingConfig = { model: MODEL, prefill: { instanceType: 'trn2.48xlarge' }, decode: DecodeTier.cs3(), kvHandoff: KvHandoff.PULL };
const SEED = 11;
/** The chat template's tokens around the user's text (the mock tokenizer's count). */
const TEMPLATE_TOKENS = 9;

interface Case {
  readonly name: string;
  readonly prefillWorkers: number;
  readonly requests: number;
  readonly workload: Workload;
}

// Each run takes about requests / rate seconds: together a few minutes.
const CASES: Case[] = [
  {
    name: 'short chat',
    prefillWorkers: 2,
    requests: 150,
    workload: { requestsPerSecond: 5, inputTokens: LengthDistribution.uniform(500, 3000), outputTokens: LengthDistribution.uniform(100, 400) },
  },
  {
    name: 'long-context agentic',
    prefillWorkers: 2,
    requests: 40,
    workload: { requestsPerSecond: 0.5, inputTokens: LengthDistribution.uniform(20_000, 60_000), outputTokens: LengthDistribution.uniform(100, 300) },
  },
  {
    name: 'burst near saturation',
    prefillWorkers: 2,
    requests: 150,
    workload: { requestsPerSecond: 6.5, inputTokens: LengthDistribution.fixed(4000), outputTokens: LengthDistribution.fixed(200) },
  },
];

/** A user message the mock tokenizer counts as `tokens` prompt tokens, distinct per request. */
function promptOf(tokens: number, index: number): string {
  const words = Math.max(1, tokens - TEMPLATE_TOKENS);
  return `r${index} ` + 'word '.repeat(words - 1);
}

async function measureOne(endpoint: string, request: PlannedRequest, index: number, started: number): Promise<RequestOutcome> {
  const client = bedrockClient(endpoint);
  const sent = performance.now();
  const response = await client.send(
    new ConverseStreamCommand({ modelId: MODEL_ID, messages: userSays(promptOf(request.inputTokens, index)), inferenceConfig: { maxTokens: request.outputTokens } }),
  );
  let first: number | undefined;
  let last = 0;
  let outputTokens = 0;
  for await (const event of response.stream!) {
    if (event.contentBlockDelta) {
      last = performance.now();
      first ??= last;
    }
    if (event.metadata) outputTokens = event.metadata.usage?.outputTokens ?? 0;
  }
  return {
    arrivalMs: sent - started,
    ttftMs: first! - sent,
    tpotMs: outputTokens > 1 ? (last - first!) / (outputTokens - 1) : undefined,
    outputTokens,
  };
}

async function measured(c: Case, planned: readonly PlannedRequest[]): Promise<RequestOutcome[]> {
  const cluster = await startMockCluster({
    timing: MockTiming.REALISTIC,
    prefillWorkers: c.prefillWorkers,
    // Each request's maxTokens sets its answer's length.
    answerTokens: 100_000,
    gateway: { telemetry: () => undefined, maxConcurrentRequests: 1024 },
    timeouts: { prefillMs: 600_000, firstTokenMs: 600_000, totalMs: 900_000 },
  });
  try {
    const started = performance.now();
    const outcomes = await Promise.all(
      planned.map(async (request, index) => {
        const wait = request.arrivalMs - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        return measureOne(cluster.endpoint, request, index, started);
      }),
    );
    return outcomes.slice(Math.floor(planned.length * WARM_UP_SHARE));
  } finally {
    await cluster.close();
  }
}

function figures(outcomes: readonly RequestOutcome[]) {
  const ttft = outcomes.map((o) => o.ttftMs);
  const tpot = outcomes.flatMap((o) => (o.tpotMs === undefined ? [] : [o.tpotMs]));
  return { ttftP50: percentile(ttft, 50), ttftP90: percentile(ttft, 90), tpotP50: percentile(tpot, 50) };
}

async function main(): Promise<void> {
  const rows: string[][] = [['workload', 'figure', 'predicted', 'measured', 'difference']];
  for (const c of CASES) {
    const fleet = { prefillHosts: c.prefillWorkers, decodeHosts: 1 };
    const simulated = simulate(CONFIG, fleet, c.workload, { requests: c.requests, seed: SEED });
    const planned = plannedRequests(c.workload, c.requests, SEED);
    process.stderr.write(`${c.name}: ${c.requests} requests at ${c.workload.requestsPerSecond}/s, prefill busy ${(simulated.prefill.busy * 100).toFixed(0)}% predicted...\n`);
    const predicted = figures(simulated.outcomes);
    const actual = figures(await measured(c, planned));
    for (const [label, key] of [['TTFT p50 (ms)', 'ttftP50'], ['TTFT p90 (ms)', 'ttftP90'], ['TPOT p50 (ms)', 'tpotP50']] as const) {
      const difference = predicted[key] / actual[key] - 1;
      rows.push([c.name, label, predicted[key].toFixed(label.startsWith('TPOT') ? 3 : 0), actual[key].toFixed(label.startsWith('TPOT') ? 3 : 0), `${difference >= 0 ? '+' : ''}${(difference * 100).toFixed(1)}%`]);
    }
    rows.push([`  (${c.prefillWorkers} prefill workers, 1 CS-3; prefill busy ${(simulated.prefill.busy * 100).toFixed(0)}%, decode mean batch ${(simulated.decode.meanBatch ?? 0).toFixed(1)})`, '', '', '', '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  console.log('Target: predicted within 20% of measured below saturation.');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
