import { KvHandoff, prefillReplica } from '../serving-config';
import type { FleetEvaluation, Plan, PlanInput } from '../planner/planner';
import { describeSlo } from '../planner/slo';
import { CS3_DEFAULT_MAX_STREAMS } from '../timing/calibration';

/** A plan with what it was made from, as the CLI prints it (`--json`) and the synth writes it. */
export interface PlanReport {
  readonly model: string;
  readonly prefill: string;
  readonly decode: string;
  readonly kvHandoff: string;
  readonly workload: {
    readonly requestsPerSecond: number;
    readonly inputTokens: string;
    readonly outputTokens: string;
    readonly prefixCacheHitRate: number;
    readonly concurrency?: number;
  };
  readonly slo: string;
  readonly simulation: { readonly requests: number; readonly seed: number; readonly routing: string };
  readonly given: FleetEvaluation;
  readonly recommended?: FleetEvaluation;
  readonly unreachable?: string;
  readonly prices: Plan['prices'];
  /** What the figures assume, in words. */
  readonly notes: readonly string[];
}

export function planReport(input: PlanInput, plan: Plan): PlanReport {
  const { config, workload } = input;
  const replica = prefillReplica(config);
  const notes: string[] = [
    `One vLLM server per host: the prefill server shards the model over ${replica.tensorParallelDegree} of ${replica.instance.logicalNeuronCores} logical NeuronCores` +
      (replica.share < 1 ? ' (the rest of the instance idles).' : '.'),
    'A prefill host computes one prompt at a time, in arrival order; decode runs continuous batching (a step gives every sequence a token, its time grows with the batch).',
    'Prefill charges the uncached part of each prompt, attending over the whole prompt; the whole prompt\'s KV moves to decode.',
  ];
  if (config.kvHandoff === KvHandoff.REPLAY) notes.push('Prompt replay: the decode engine computes every prompt itself and the prefill fleet serves nothing.');
  if (!config.decode.instanceType) {
    notes.push(
      `A CS-3 endpoint streams each sequence at the published speed, at most ${config.decode.engine(config.model).decodeLimits.maxSequences} at once ` +
        `(Cerebras publishes no batch figure; ${CS3_DEFAULT_MAX_STREAMS} is this planner's assumption unless given).`,
    );
  }
  return {
    model: config.model.name,
    prefill: `${config.prefill.instanceType} (TP ${replica.tensorParallelDegree})`,
    decode: config.decode.name,
    kvHandoff: config.kvHandoff.name,
    workload: {
      requestsPerSecond: workload.requestsPerSecond,
      inputTokens: workload.inputTokens.toString(),
      outputTokens: workload.outputTokens.toString(),
      prefixCacheHitRate: workload.prefixCacheHitRate ?? 0,
      concurrency: workload.concurrency,
    },
    slo: describeSlo(input.slo),
    simulation: {
      requests: input.simulation?.requests ?? 2000,
      seed: input.simulation?.seed ?? 1,
      routing: input.simulation?.routing ? 'a given policy' : "the router's least-loaded policy",
    },
    given: plan.given,
    recommended: plan.recommended,
    unreachable: plan.unreachable,
    prices: plan.prices,
    notes,
  };
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
const usd = (value: number | undefined) => (value === undefined ? 'no price' : `$${value.toFixed(2)}`);

/** The figures of one fleet, one line per figure. */
function column(evaluation: FleetEvaluation): string[] {
  const { ttftMs, tpotMs, fleet, decode } = evaluation;
  return [
    `${fleet.prefillHosts}:${fleet.decodeHosts}`,
    `${ms(ttftMs.p50)} / ${ms(ttftMs.p90)} / ${ms(ttftMs.p99)}`,
    `${ms(tpotMs.p50)} / ${ms(tpotMs.p90)} / ${ms(tpotMs.p99)}`,
    evaluation.goodput.toFixed(2),
    evaluation.meetsSlo ? 'yes' : 'no',
    percent(evaluation.prefill.busy),
    `${percent(decode.busy)}, ${(decode.meanBatch ?? 0).toFixed(1)}` + (decode.promptBusy !== undefined ? `, prompts ${percent(decode.promptBusy)}` : ''),
    usd(evaluation.cost.usdPerHour),
    usd(evaluation.cost.usdPerMillionOutputTokens),
  ];
}

const ROWS = [
  'fleet (prefill:decode hosts)',
  'TTFT p50 / p90 / p99 (ms)',
  'TPOT p50 / p90 / p99 (ms)',
  'goodput (requests/s in SLO)',
  'meets the SLO',
  'prefill busy',
  'decode busy, mean batch',
  'cost per hour',
  'cost per M output tokens',
];

/** The report as text, for the terminal. */
export function formatPlanReport(report: PlanReport): string {
  const w = report.workload;
  const lines = [
    `Plan for ${report.model}: prefill ${report.prefill}, decode ${report.decode}, KV hand-off: ${report.kvHandoff}`,
    `Workload: ${w.requestsPerSecond} requests/s; input ${w.inputTokens} tokens; output ${w.outputTokens} tokens; ` +
      `prefix cache hit rate ${percent(w.prefixCacheHitRate)}; concurrency: ${w.concurrency ?? 'no limit'}`,
    `SLO: ${report.slo}`,
    `Simulated ${report.simulation.requests} requests (seed ${report.simulation.seed}; the first tenth warms up), routed by ${report.simulation.routing}`,
    '',
  ];
  const columns = [['', ...ROWS], ['given', ...column(report.given)]];
  if (report.recommended) columns.push(['recommended', ...column(report.recommended)]);
  const widths = columns.map((c) => Math.max(...c.map((cell) => cell.length)));
  for (let row = 0; row <= ROWS.length; row++) {
    lines.push(columns.map((c, i) => c[row].padEnd(widths[i])).join('   ').trimEnd());
  }
  lines.push('');
  if (report.recommended) {
    const { prefillHosts, decodeHosts } = report.recommended.fleet;
    lines.push(`Smallest fleet that meets the SLO: ${prefillHosts} prefill : ${decodeHosts} decode (one fewer host in either tier misses it).`);
  } else {
    lines.push(`No fleet meets the SLO: ${report.unreachable}.`);
  }
  const price = (tier: string, host: PlanReport['prices']['prefill']) =>
    `  ${tier}: ${host.usdPerHour === undefined ? 'no price' : `${usd(host.usdPerHour)} per host-hour`} (${host.source})`;
  lines.push('Prices:', price('prefill', report.prices.prefill), price('decode', report.prices.decode));
  lines.push('Assumptions:', ...report.notes.map((note) => `  - ${note}`));
  return lines.join('\n') + '\n';
}
