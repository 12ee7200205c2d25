import { KvHandoff, ServingConfig, timingOf } from '../serving-config';
import { seededRandom } from '../simulation/random';
import { FleetSize, simulate, SimulationOptions, TierUsage } from '../simulation/simulate';
import { validateWorkload, Workload } from '../simulation/workload';
import { CostEstimate, estimateCost, HostPrice, hostPrices, PriceOverrides } from './cost';
import { LatencySummary, percentile, requestMeetsSlo, Slo, summarise, validateSlo } from './slo';

/** What to plan: a configuration, its traffic, the SLO and the fleet sizes to judge. */
export interface PlanInput {
  readonly config: ServingConfig;
  readonly workload: Workload;
  readonly slo: Slo;
  /** The fleet sizes configured (or proposed). */
  readonly fleet: FleetSize;
  readonly prices?: PriceOverrides;
  readonly simulation?: SimulationOptions;
  /** The largest tier the search for the smallest fleet tries. @default 64 */
  readonly maxHostsPerTier?: number;
}

/** A fleet's predicted figures under the workload. */
export interface FleetEvaluation {
  readonly fleet: FleetSize;
  readonly ttftMs: LatencySummary;
  readonly tpotMs: LatencySummary;
  /** TTFT at the SLO's percentile (p90 without a TTFT target). */
  readonly ttftAtSloMs: number;
  /** TPOT at the SLO's percentile (p90 without a TPOT target). */
  readonly tpotAtSloMs: number;
  /** Requests per second that met every SLO limit. */
  readonly goodput: number;
  /** Whether the SLO's percentiles hold. */
  readonly meetsSlo: boolean;
  readonly outputTokensPerSecond: number;
  readonly prefill: TierUsage;
  readonly decode: TierUsage;
  readonly cost: CostEstimate;
}

export interface Plan {
  readonly given: FleetEvaluation;
  /** The smallest prefill:decode counts that meet the SLO; undefined when none up to the search's limit does. */
  readonly recommended?: FleetEvaluation;
  /** Why no fleet meets the SLO, when none does. */
  readonly unreachable?: string;
  readonly prices: { readonly prefill: HostPrice; readonly decode: HostPrice };
}

/** Simulates `fleet` under `workload` (default: the input's) and judges it against the SLO. */
export function evaluateFleet(input: PlanInput, fleet: FleetSize, workload: Workload = input.workload): FleetEvaluation {
  const result = simulate(input.config, fleet, workload, input.simulation);
  const seconds = result.windowMs / 1000;
  const ttfts = result.outcomes.map((o) => o.ttftMs);
  const tpots = result.outcomes.flatMap((o) => (o.tpotMs === undefined ? [] : [o.tpotMs]));
  const outputTokensPerSecond = result.outcomes.reduce((sum, o) => sum + o.outputTokens, 0) / (result.spanMs / 1000);
  const { ttft, tpot } = input.slo;
  const ttftAtSloMs = percentile(ttfts, ttft?.percentile ?? 90);
  const tpotAtSloMs = percentile(tpots, tpot?.percentile ?? 90);
  return {
    fleet,
    ttftMs: summarise(ttfts),
    tpotMs: summarise(tpots),
    ttftAtSloMs,
    tpotAtSloMs,
    goodput: result.outcomes.filter((o) => requestMeetsSlo(o, input.slo)).length / seconds,
    meetsSlo: (!ttft || ttftAtSloMs <= ttft.ms) && (!tpot || tpots.length === 0 || tpotAtSloMs <= tpot.ms),
    outputTokensPerSecond,
    prefill: result.prefill,
    decode: result.decode,
    cost: estimateCost(hostPrices(input.config.prefill, input.config.decode, input.prices), fleet, outputTokensPerSecond),
  };
}

/**
 * The given fleet's figures and the smallest fleet that meets the SLO: per tier, the fewest hosts
 * that meet it with the other tier at the search's limit, found by doubling then halving (more hosts
 * never make the simulated figures worse), prefill first, then decode at that prefill count. So one
 * host fewer in either tier misses the SLO. With prompt replay the prefill tier serves nothing and
 * the recommendation has none.
 */
export function plan(input: PlanInput): Plan {
  validateWorkload(input.workload);
  validateSlo(input.slo);
  const limit = input.maxHostsPerTier ?? 64;
  const prices = hostPrices(input.config.prefill, input.config.decode, input.prices);
  const given = evaluateFleet(input, input.fleet);
  const hardwareLimit = beyondTheHardware(input);
  if (hardwareLimit) return { given, prices, unreachable: hardwareLimit };
  const meets = (fleet: FleetSize) => (sameFleet(fleet, input.fleet) ? given : evaluateFleet(input, fleet)).meetsSlo;
  const replay = input.config.kvHandoff === KvHandoff.REPLAY;
  const prefillHosts = replay ? 0 : fewest((hosts) => meets({ prefillHosts: hosts, decodeHosts: limit }), limit);
  const decodeHosts = prefillHosts === undefined ? undefined : fewest((hosts) => meets({ prefillHosts, decodeHosts: hosts }), limit);
  if (prefillHosts === undefined || decodeHosts === undefined) {
    const tier = prefillHosts === undefined ? 'prefill' : 'decode';
    return { given, prices, unreachable: `no fleet of up to ${limit} ${tier} hosts meets the SLO at this rate (raise --max-hosts)` };
  }
  const fleet = { prefillHosts, decodeHosts };
  return { given, prices, recommended: sameFleet(fleet, input.fleet) ? given : evaluateFleet(input, fleet) };
}

function sameFleet(a: FleetSize, b: FleetSize): boolean {
  return a.prefillHosts === b.prefillHosts && a.decodeHosts === b.decodeHosts;
}

/** The smallest count in 1..limit for which `ok` holds, given that it keeps holding above; undefined if `ok(limit)` fails. */
function fewest(ok: (hosts: number) => boolean, limit: number): number | undefined {
  let failing = 0;
  let passing: number | undefined;
  for (let hosts = 1; ; hosts = Math.min(hosts * 2, limit)) {
    if (ok(hosts)) {
      passing = hosts;
      break;
    }
    failing = hosts;
    if (hosts === limit) return undefined;
  }
  while (passing - failing > 1) {
    const middle = Math.floor((failing + passing) / 2);
    if (ok(middle)) passing = middle;
    else failing = middle;
  }
  return passing;
}

/**
 * Why no fleet can meet the SLO, if a request alone misses it: every request's TTFT is at least its
 * time alone (prefill, KV transfer, a first decode step) and its TPOT at least a batch of one's step,
 * so if those miss the SLO's percentile over the workload's own lengths, no number of hosts helps.
 */
function beyondTheHardware(input: PlanInput): string | undefined {
  const timing = timingOf(input.config);
  const random = seededRandom(input.simulation?.seed ?? 1);
  const hit = input.workload.prefixCacheHitRate ?? 0;
  const replay = input.config.kvHandoff === KvHandoff.REPLAY;
  const alone = Array.from({ length: 1000 }, () => {
    const tokens = input.workload.inputTokens.sample(random);
    const work = { newTokens: Math.max(1, Math.round(tokens * (1 - hit))), contextTokens: tokens };
    const step = timing.decodeStepMs({ sequences: 1, contextTokens: tokens });
    const ttft = (replay ? timing.replayPrefillMs(work) : timing.prefillMs(work) + timing.kvTransferMs(tokens)) + step;
    return { ttft, step };
  });
  const { ttft, tpot } = input.slo;
  const ttftAlone = ttft && percentile(alone.map((a) => a.ttft), ttft.percentile);
  if (ttft && ttftAlone && ttftAlone > ttft.ms) {
    return `a request alone takes ${ttftAlone.toFixed(0)} ms to its first token at p${ttft.percentile} of these prompts on this hardware: no fleet size meets TTFT <= ${ttft.ms} ms`;
  }
  const stepAlone = tpot && percentile(alone.map((a) => a.step), tpot.percentile);
  if (tpot && stepAlone && stepAlone > tpot.ms) {
    return `a decode step alone takes ${stepAlone.toFixed(1)} ms at p${tpot.percentile} of these contexts on this hardware: no fleet size meets TPOT <= ${tpot.ms} ms`;
  }
  return undefined;
}
