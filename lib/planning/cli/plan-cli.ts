import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PREFILL_INSTANCE_TYPE, getModelSpec } from '../../hardware';
import { arrivalRatesAround, sweepArrivalRates } from '../planner/curves';
import { plan, PlanInput } from '../planner/planner';
import { calibrationTable, formatCalibrationTable } from '../report/calibration-table';
import { htmlPlanReport } from '../report/html-report';
import { formatPlanReport, planReport } from '../report/plan-report';
import { DecodeTier, KvHandoff } from '../serving-config';
import { LengthDistribution } from '../simulation/workload';

export const PLAN_HELP = `Usage: npm run plan -- --requests-per-second R --slo-ttft-ms MS [options]
       (or npx cdk-disaggregated-inference-plan ...)

Predicts TTFT, TPOT, goodput, utilisation and cost of a disaggregated fleet from a simulation over
the calibrated timing rules, and the smallest prefill:decode counts that meet the SLO.

Model and hardware:
  --model NAME                 catalog model (default llama-3.3-70b-instruct)
  --prefill-instance-type T    prefill Trainium type (default trn2.48xlarge)
  --prefill-tp N               prefill tensor-parallel degree (default all logical NeuronCores)
  --decode cs3|TYPE            decode tier: a CS-3 endpoint, or a Trainium type (default cs3)
  --decode-tp N                Trainium decode tensor-parallel degree (default all logical NeuronCores)
  --kv-handoff pull|replay     KV pulled from prefill, or the prompt replayed on decode
                               (default: replay for a CS-3, as the construct does; pull for Trainium)
  --cs3-max-streams N          streams one CS-3 endpoint serves at once (default 32, an assumption)
Fleet:
  --prefill-hosts N            prefill instances (default 1)
  --decode-hosts N             decode instances or CS-3 endpoints (default 1)
Workload:
  --requests-per-second R      mean arrival rate, Poisson (required)
  --input-tokens D             prompt lengths (default 2000)
  --output-tokens D            answer lengths (default 500)
                               D: N, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEDIAN:SIGMA
  --prefix-cache-hit-rate F    share of each prompt already cached, 0 to below 1 (default 0)
  --concurrency N              requests the clients keep in flight at most (default no limit)
SLO (at least one target):
  --slo-ttft-ms MS             time-to-first-token limit
  --slo-ttft-percentile P      at this percentile (default 90)
  --slo-tpot-ms MS             time-per-output-token limit
  --slo-tpot-percentile P      at this percentile (default 90)
Prices (on-demand prices of the catalog otherwise; a CS-3 has no public price):
  --prefill-usd-per-hour X     one prefill host
  --decode-usd-per-hour X      one decode host or CS-3 endpoint
Simulation and output:
  --requests N                 requests simulated per fleet (default 2000)
  --seed N                     seed of arrivals, lengths and tie-breaks (default 1)
  --max-hosts N                largest tier the search tries (default 64)
  --json                       the plan as JSON
  --html FILE                  also write a self-contained page with the curves
  --calibration                print the published figures beside the rules' predictions, and exit
  --help
`;

const OPTIONS = {
  model: { type: 'string', default: 'llama-3.3-70b-instruct' },
  'prefill-instance-type': { type: 'string', default: DEFAULT_PREFILL_INSTANCE_TYPE },
  'prefill-tp': { type: 'string' },
  decode: { type: 'string', default: 'cs3' },
  'decode-tp': { type: 'string' },
  'kv-handoff': { type: 'string' },
  'cs3-max-streams': { type: 'string' },
  'prefill-hosts': { type: 'string', default: '1' },
  'decode-hosts': { type: 'string', default: '1' },
  'requests-per-second': { type: 'string' },
  'input-tokens': { type: 'string', default: '2000' },
  'output-tokens': { type: 'string', default: '500' },
  'prefix-cache-hit-rate': { type: 'string', default: '0' },
  concurrency: { type: 'string' },
  'slo-ttft-ms': { type: 'string' },
  'slo-ttft-percentile': { type: 'string', default: '90' },
  'slo-tpot-ms': { type: 'string' },
  'slo-tpot-percentile': { type: 'string', default: '90' },
  'prefill-usd-per-hour': { type: 'string' },
  'decode-usd-per-hour': { type: 'string' },
  requests: { type: 'string', default: '2000' },
  seed: { type: 'string', default: '1' },
  'max-hosts': { type: 'string', default: '64' },
  json: { type: 'boolean', default: false },
  html: { type: 'string' },
  calibration: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function numberOf(values: Values, flag: keyof typeof OPTIONS, check: { integer?: boolean; min?: number } = {}): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const n = Number(text);
  const min = check.min ?? 0;
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(n) || n < min || (check.integer && !Number.isInteger(n))) {
    throw new Error(`--${flag} must be ${check.integer ? 'an integer' : 'a number'} of at least ${min}; got '${String(text)}'.`);
  }
  return n;
}

/** The plan input the flags describe. @throws naming the flag and the fix */
export function planInputFromArguments(values: Values): PlanInput {
  const model = getModelSpec(values.model!);
  const rate = numberOf(values, 'requests-per-second');
  if (rate === undefined || rate <= 0) throw new Error('--requests-per-second is required: a positive arrival rate.');
  const decodeName = values.decode!;
  const maxStreams = numberOf(values, 'cs3-max-streams', { integer: true, min: 1 });
  if (decodeName !== 'cs3' && maxStreams !== undefined) throw new Error('--cs3-max-streams applies to --decode cs3 only.');
  const decode = decodeName === 'cs3' ? DecodeTier.cs3(maxStreams) : DecodeTier.trainium(decodeName, numberOf(values, 'decode-tp', { integer: true, min: 1 }));
  const ttftMs = numberOf(values, 'slo-ttft-ms');
  const tpotMs = numberOf(values, 'slo-tpot-ms');
  if (ttftMs === undefined && tpotMs === undefined) throw new Error('Give an SLO: --slo-ttft-ms, --slo-tpot-ms or both.');
  return {
    config: {
      model,
      prefill: { instanceType: values['prefill-instance-type']!, tensorParallelDegree: numberOf(values, 'prefill-tp', { integer: true, min: 1 }) },
      decode,
      kvHandoff: values['kv-handoff'] ? KvHandoff.of(values['kv-handoff']) : decode.defaultKvHandoff,
    },
    workload: {
      requestsPerSecond: rate,
      inputTokens: LengthDistribution.parse(values['input-tokens']!),
      outputTokens: LengthDistribution.parse(values['output-tokens']!),
      prefixCacheHitRate: numberOf(values, 'prefix-cache-hit-rate'),
      concurrency: numberOf(values, 'concurrency', { integer: true, min: 1 }),
    },
    slo: {
      ttft: ttftMs === undefined ? undefined : { ms: ttftMs, percentile: numberOf(values, 'slo-ttft-percentile')! },
      tpot: tpotMs === undefined ? undefined : { ms: tpotMs, percentile: numberOf(values, 'slo-tpot-percentile')! },
    },
    fleet: {
      prefillHosts: numberOf(values, 'prefill-hosts', { integer: true })!,
      decodeHosts: numberOf(values, 'decode-hosts', { integer: true, min: 1 })!,
    },
    prices: { prefillUsdPerHour: numberOf(values, 'prefill-usd-per-hour'), decodeUsdPerHour: numberOf(values, 'decode-usd-per-hour') },
    simulation: { requests: numberOf(values, 'requests', { integer: true, min: 10 }), seed: numberOf(values, 'seed', { integer: true }) },
    maxHostsPerTier: numberOf(values, 'max-hosts', { integer: true, min: 1 }),
  };
}

/** Rounds the figures of the JSON output to what the model can tell apart. */
function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value;
}

/**
 * The planner's command line: prints the plan (or the calibration table) to `out` and returns the
 * exit code (0, or 2 for bad input, with the message and a pointer to --help on `err`).
 */
export function runPlanCli(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  try {
    const { values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help) {
      out(PLAN_HELP);
      return 0;
    }
    if (values.calibration) {
      out(formatCalibrationTable(calibrationTable()));
      return 0;
    }
    const input = planInputFromArguments(values);
    const result = plan(input);
    const report = planReport(input, result);
    out(values.json ? JSON.stringify(report, roundNumbers, 2) + '\n' : formatPlanReport(report));
    if (values.html) {
      const fleets = [{ label: 'given', fleet: input.fleet }];
      if (result.recommended && result.recommended !== result.given) fleets.push({ label: 'recommended', fleet: result.recommended.fleet });
      const curves = sweepArrivalRates(input, fleets, arrivalRatesAround(input.workload.requestsPerSecond));
      const ttft = input.slo.ttft;
      fs.writeFileSync(values.html, htmlPlanReport(report, curves, { percentile: ttft?.percentile ?? 90, ms: ttft?.ms }));
      if (!values.json) out(`Wrote ${values.html}\n`);
    }
    return 0;
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\nRun with --help for the options.\n`);
    return 2;
  }
}
