import { DEFAULT_ROUTING } from '../../runtime/routing/routing';
import type { RoutingPolicy } from '../../runtime/routing/routing-policy';
import { WorkerPool } from '../../runtime/routing/worker-pool';
import { DecodeBatch } from '../engines/decode-batch';
import { PrefillQueue } from '../engines/prefill-queue';
import { KvHandoff, ServingConfig, timingOf } from '../serving-config';
import type { PrefillWork } from '../timing/model-arithmetic';
import { exponentialDraw, seededRandom } from './random';
import { VirtualClock } from './virtual-clock';
import { validateWorkload, Workload } from './workload';

/** Hosts per tier. */
export interface FleetSize {
  readonly prefillHosts: number;
  readonly decodeHosts: number;
}

export interface SimulationOptions {
  /** Requests to simulate. @default 2000 */
  readonly requests?: number;
  /** Seed of the arrivals, the lengths and the routing's tie-breaks. @default 1 */
  readonly seed?: number;
  /**
   * The routing policy for a pool of workers, given the simulation's seeded random source. The
   * simulated requests have no prompts to key on, so the router's default (prefix-aware) places them
   * as least-loaded does. @default the router's default policy
   */
  readonly routing?: (random: () => number) => RoutingPolicy;
}

/** One simulated request, as a client sees it. */
export interface RequestOutcome {
  readonly arrivalMs: number;
  /** Arrival to first output token. */
  readonly ttftMs: number;
  /** Mean time between output tokens after the first; undefined for a one-token answer. */
  readonly tpotMs: number | undefined;
  readonly outputTokens: number;
}

/** How hard a tier worked over the run. */
export interface TierUsage {
  /** Mean share of the run each host was computing (prefill) or stepping (decode), 0 to 1. */
  readonly busy: number;
  /** Mean sequences per decode step, while stepping (decode only). */
  readonly meanBatch?: number;
  /** Mean share of the run each decode host spent computing prompts (prompt replay only). */
  readonly promptBusy?: number;
}

export interface SimulationResult {
  /** The requests measured: all but the first tenth, which warm the fleet up. */
  readonly outcomes: readonly RequestOutcome[];
  /** From the first to the last measured arrival, in ms (the offered rate's window). */
  readonly windowMs: number;
  /** From the first measured arrival to the last measured answer, in ms (the delivered rate's window). */
  readonly spanMs: number;
  readonly prefill: TierUsage;
  readonly decode: TierUsage;
}

/** One request of a workload: when it arrives and its lengths. */
export interface PlannedRequest {
  readonly arrivalMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

const DEFAULT_REQUESTS = 2000;
/** The share of requests, first in, that warm the fleet up and are left out of the figures. */
export const WARM_UP_SHARE = 0.1;

/**
 * The workload's requests at a seed: the same for every fleet, so fleets are compared on the same
 * traffic (and a benchmark can send the mock what the simulation saw).
 */
export function plannedRequests(workload: Workload, count: number, seed = 1): PlannedRequest[] {
  const random = seededRandom(seed);
  const ratePerMs = workload.requestsPerSecond / 1000;
  const planned: PlannedRequest[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    at += exponentialDraw(random, ratePerMs);
    planned.push({ arrivalMs: at, inputTokens: workload.inputTokens.sample(random), outputTokens: workload.outputTokens.sample(random) });
  }
  return planned;
}

/**
 * A discrete-event simulation of the pipeline on a virtual clock: Poisson arrivals, the router's
 * own worker pool and policy choosing a prefill host (and a decode host), the prefill queue and the
 * decode batch of the serving engines, and the timing rules, as the mock runs them in real time.
 * Deterministic for a seed.
 */
export function simulate(config: ServingConfig, fleet: FleetSize, workload: Workload, options: SimulationOptions = {}): SimulationResult {
  validateWorkload(workload);
  const replay = config.kvHandoff === KvHandoff.REPLAY;
  if (!Number.isInteger(fleet.decodeHosts) || fleet.decodeHosts < 1) throw new Error(`decodeHosts must be a positive integer; got ${fleet.decodeHosts}.`);
  if (!replay && (!Number.isInteger(fleet.prefillHosts) || fleet.prefillHosts < 1)) {
    throw new Error(`prefillHosts must be a positive integer with the KV pulled from prefill; got ${fleet.prefillHosts}.`);
  }
  const requests = options.requests ?? DEFAULT_REQUESTS;
  if (!Number.isInteger(requests) || requests < 10) throw new Error(`requests must be an integer of at least 10; got ${requests}.`);
  const seed = options.seed ?? 1;
  const timing = timingOf(config);
  const clock = new VirtualClock();
  const routingRandom = seededRandom(seed ^ 0x5bd1e995);
  const policy = () => (options.routing ?? ((random) => DEFAULT_ROUTING.policy(random)))(routingRandom);
  const pool = (prefix: string, size: number) => {
    const urls = Array.from({ length: size }, (_, i) => `${prefix}-${i}`);
    return { urls, pool: new WorkerPool(urls, 0, () => clock.now(), policy()) };
  };

  const prefill = pool('prefill', replay ? 0 : fleet.prefillHosts);
  const prefillQueues = new Map(prefill.urls.map((url) => [url, new PrefillQueue(clock)]));
  const decode = pool('decode', fleet.decodeHosts);
  const decodeStepMs = (load: { sequences: number; contextTokens: number }) => timing.decodeStepMs(load);
  const decodeBatches = new Map(decode.urls.map((url) => [url, new DecodeBatch(clock, decodeStepMs, timing.decodeLimits)]));
  const replayQueues = new Map(decode.urls.map((url) => [url, new PrefillQueue(clock)]));

  const planned = plannedRequests(workload, requests, seed);
  const hit = workload.prefixCacheHitRate ?? 0;
  const outcomes: (RequestOutcome | undefined)[] = new Array(planned.length);
  const doneAt: number[] = new Array(planned.length);
  const waiting: number[] = [];
  let inFlight = 0;

  const finish = (index: number, firstMs: number, doneMs: number) => {
    const request = planned[index];
    const tpotMs = request.outputTokens > 1 ? (doneMs - firstMs) / (request.outputTokens - 1) : undefined;
    outcomes[index] = { arrivalMs: request.arrivalMs, ttftMs: firstMs - request.arrivalMs, tpotMs, outputTokens: request.outputTokens };
    doneAt[index] = doneMs;
    inFlight--;
    const next = waiting.shift();
    if (next !== undefined) send(next);
  };

  const startDecode = (index: number) => {
    const request = planned[index];
    const url = decode.pool.pick(new Set())!;
    const release = decode.pool.acquire(url);
    let firstMs = 0;
    const join = () =>
      decodeBatches.get(url)!.join({
        promptTokens: request.inputTokens,
        outputTokens: request.outputTokens,
        onFirstToken: (at) => (firstMs = at),
        // Reactions run as events of their own, never inside the engine's step.
        onDone: (at) =>
          clock.at(at, () => {
            release();
            finish(index, firstMs, at);
          }),
      });
    if (replay) replayQueues.get(url)!.submit(timing.replayPrefillMs(work(request)), (at) => clock.at(at, join));
    else join();
  };

  const work = (request: PlannedRequest): PrefillWork => ({
    newTokens: Math.max(1, Math.round(request.inputTokens * (1 - hit))),
    contextTokens: request.inputTokens,
  });

  const send = (index: number) => {
    inFlight++;
    if (replay) return startDecode(index);
    const request = planned[index];
    const url = prefill.pool.pick(new Set())!;
    const release = prefill.pool.acquire(url);
    prefillQueues.get(url)!.submit(timing.prefillMs(work(request)), (at) => {
      release();
      // The whole prompt's KV moves to decode (a decode-side cache is the prefix-aware routing's to add).
      clock.at(at + timing.kvTransferMs(request.inputTokens), () => startDecode(index));
    });
  };

  planned.forEach((request, index) =>
    clock.at(request.arrivalMs, () => {
      if (workload.concurrency !== undefined && inFlight >= workload.concurrency) waiting.push(index);
      else send(index);
    }),
  );
  clock.run();

  const measuredFrom = Math.floor(planned.length * WARM_UP_SHARE);
  const lastDone = (from: number) => doneAt.slice(from).reduce((a, b) => Math.max(a, b), 0);
  const runMs = lastDone(0) - planned[0].arrivalMs;
  const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
  const decodeBusy = sum([...decodeBatches.values()].map((b) => b.busyMs));
  const decodeSequenceMs = sum([...decodeBatches.values()].map((b) => b.sequenceStepMs));
  return {
    outcomes: outcomes.slice(measuredFrom) as RequestOutcome[],
    windowMs: planned[planned.length - 1].arrivalMs - planned[measuredFrom].arrivalMs,
    spanMs: lastDone(measuredFrom) - planned[measuredFrom].arrivalMs,
    prefill: { busy: replay ? 0 : sum([...prefillQueues.values()].map((q) => q.busyMs)) / (fleet.prefillHosts * runMs) },
    decode: {
      busy: decodeBusy / (fleet.decodeHosts * runMs),
      meanBatch: decodeBusy > 0 ? decodeSequenceMs / decodeBusy : 0,
      promptBusy: replay ? sum([...replayQueues.values()].map((q) => q.busyMs)) / (fleet.decodeHosts * runMs) : undefined,
    },
  };
}
