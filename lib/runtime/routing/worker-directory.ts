import type { ModelRoute } from './registry';
import type { DecodeRouteConfig, WorkerDiscoveryConfig } from './registry-config';

/**
 * What a worker says about its own load: vLLM's scheduler gauges from its Prometheus `/metrics`
 * (`vllm:num_requests_running`, `vllm:num_requests_waiting`, vllm/v1/metrics/loggers.py). Unlike the
 * router's own in-flight count, it includes what every other router instance sent the worker, which
 * is what a Lambda router (one request per execution environment) has no other way to know.
 */
export interface ReportedLoad {
  /** Requests in the worker's running batch. */
  readonly running: number;
  /** Requests queued on the worker, not yet scheduled. */
  readonly waiting: number;
}

/** One worker a directory offers: where it is and, when the directory read them, its own load figures. */
export interface DirectoryWorker {
  /** Base URL (scheme://host:port) of the worker's OpenAI-compatible server. */
  readonly url: string;
  /** The worker's load as it reported it, at most the directory's load lifetime old; absent when unknown. */
  readonly load?: ReportedLoad;
}

/**
 * Where the router's pools take their workers from: the healthy workers of one stage, now. The
 * local gateway's directory answers from the registry's URLs; the deployed router's discovers the
 * hosts behind each fleet's load balancer. Both may add the workers' own load figures. Routing
 * policies then choose among these candidates, so the same policy code runs in both places.
 */
export interface WorkerDirectory {
  /** The prefill workers of a model; never empty when the route has prefill workers at all. */
  prefill(route: ModelRoute): Promise<readonly DirectoryWorker[]>;
  /** The workers of one of the model's decode routes (its standard or optimized tier); never empty. */
  decode(route: ModelRoute, decode: DecodeRouteConfig): Promise<readonly DirectoryWorker[]>;
  /**
   * A worker failed to answer: the list it came from may be stale (a host replaced), so the next
   * lookup looks again rather than waiting out the cache.
   */
  reportFailure(url: string): void;
}

/**
 * Finds the individual hosts a discovery config names: base URLs of the healthy ones. Throws when
 * it cannot tell (the AWS API refused or did not answer); an empty list means none is healthy.
 */
export type DiscoverWorkers = (discovery: WorkerDiscoveryConfig, signal: AbortSignal) => Promise<string[]>;

/** Reads one worker's own load figures; undefined when the worker does not say. Must not throw. */
export type ReadWorkerLoad = (url: string, signal: AbortSignal) => Promise<ReportedLoad | undefined>;
