import type { ModelRoute } from './registry';
import type { DecodeRouteConfig, WorkerDiscoveryConfig } from './registry-config';
import type { DirectoryWorker, DiscoverWorkers, ReadWorkerLoad, ReportedLoad, WorkerDirectory } from './worker-directory';

/** How a {@link RegistryWorkerDirectory} finds workers and how long it trusts what it found. */
export interface RegistryWorkerDirectoryOptions {
  /**
   * Finds the hosts of a route that names a discovery config (`prefillDiscovery`, `decode.discovery`).
   * @default none: the registry's URLs are the workers
   */
  readonly discover?: DiscoverWorkers;
  /** Reads each worker's own load figures. @default none: workers come without load figures */
  readonly readLoad?: ReadWorkerLoad;
  /**
   * Whether `readLoad` applies to workers the registry lists by URL, not only to discovered hosts.
   * The deployed router turns it off: its URL-listed endpoints (a CS-3, a load balancer) serve no
   * vLLM `/metrics`. @default true
   */
  readonly readLoadOfListedWorkers?: boolean;
  /**
   * How long a discovered list serves before the directory looks again (in the background: the old
   * list serves meanwhile). The load balancer takes 60 s (2 checks 30 s apart) to call a new host
   * healthy, so a few seconds more cost little; a dead host is skipped sooner by the pool's cool-down.
   * @default 15000
   */
  readonly listTtlMs?: number;
  /** How long load figures serve before they are read again (in the background). @default 2000 */
  readonly loadTtlMs?: number;
  /**
   * Shortest time between two lookups of a list when failures are reported; after a failed lookup
   * the wait doubles, up to `listTtlMs` (the AWS APIs throttle per account and region).
   * @default 1000
   */
  readonly minRefreshIntervalMs?: number;
  /** Time limit of one discovery. @default 2000 */
  readonly discoveryTimeoutMs?: number;
  /** Time limit of reading one worker's load. @default 500 */
  readonly loadTimeoutMs?: number;
  /** Where failed lookups are told. @default console.warn */
  readonly warn?: (message: string) => void;
  readonly now?: () => number;
}

/** What the directory knows of one stage's workers (a model's prefill workers, or one decode route's). */
interface WorkerList {
  /** The URLs the registry lists: the workers themselves, or the load balancer in front of discovered ones. */
  readonly listed: readonly string[];
  readonly discovery?: WorkerDiscoveryConfig;
  /** The workers now: the discovered hosts, else `listed`. */
  urls: readonly string[];
  /** Whether `urls` came from discovery (else it is `listed`). */
  discovered: boolean;
  nextLookupAt: number;
  lastLookupAt: number;
  failedLookups: number;
  lookup?: Promise<void>;
  loads: Map<string, ReportedLoad>;
  nextLoadReadAt: number;
  loadRead?: Promise<void>;
}

/**
 * The one {@link WorkerDirectory}: the workers the registry names, or, for a route with a discovery
 * config and a `discover` function, the healthy hosts discovery finds; with `readLoad`, each with its
 * own load figures. What it found is cached per directory (per Lambda execution environment, when
 * deployed): the first lookup of a list is awaited, later ones run in the background while the
 * last list serves. When discovery fails the last list keeps serving; with none, or when discovery
 * finds no healthy host, the registry's URL (the load balancer, which fails open) is the worker.
 */
export class RegistryWorkerDirectory implements WorkerDirectory {
  private readonly lists = new Map<object, WorkerList>();
  private readonly now: () => number;
  private readonly listTtlMs: number;
  private readonly loadTtlMs: number;
  private readonly minRefreshIntervalMs: number;

  constructor(private readonly options: RegistryWorkerDirectoryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.listTtlMs = options.listTtlMs ?? 15_000;
    this.loadTtlMs = options.loadTtlMs ?? 2000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 1000;
  }

  public prefill(route: ModelRoute): Promise<readonly DirectoryWorker[]> {
    const config = route.config;
    return this.workers(config, config.prefillUrls, config.prefillDiscovery);
  }

  public decode(_route: ModelRoute, decode: DecodeRouteConfig): Promise<readonly DirectoryWorker[]> {
    return this.workers(decode, decode.workerUrls ?? [decode.url], decode.discovery);
  }

  public reportFailure(url: string): void {
    for (const list of this.lists.values()) {
      if (!list.discovered || !list.urls.includes(url)) continue;
      list.nextLookupAt = Math.min(list.nextLookupAt, list.lastLookupAt + this.minRefreshIntervalMs);
    }
  }

  /** The workers of the list kept under `key` (a registry object, stable for the registry's life). */
  private async workers(key: object, listed: readonly string[], discovery?: WorkerDiscoveryConfig): Promise<DirectoryWorker[]> {
    let list = this.lists.get(key);
    if (!list) {
      list = { listed, discovery, urls: listed, discovered: false, nextLookupAt: 0, lastLookupAt: -Infinity, failedLookups: 0, loads: new Map(), nextLoadReadAt: 0 };
      this.lists.set(key, list);
    }
    const now = this.now();
    if (discovery && this.options.discover && now >= list.nextLookupAt) {
      list.lookup ??= this.lookUp(list, discovery, this.options.discover);
      // The first lookup has no list to serve meanwhile.
      if (list.lastLookupAt === -Infinity) await list.lookup;
    }
    if (this.readsLoadOf(list) && this.now() >= list.nextLoadReadAt) {
      const first = list.nextLoadReadAt === 0;
      list.loadRead ??= this.readLoads(list, this.options.readLoad!);
      if (first) await list.loadRead;
    }
    return list.urls.map((url) => {
      const load = list!.loads.get(url);
      return load ? { url, load } : { url };
    });
  }

  private readsLoadOf(list: WorkerList): boolean {
    return this.options.readLoad !== undefined && (list.discovered || (this.options.readLoadOfListedWorkers ?? true));
  }

  /** One discovery: a new list on success, the last one (or the listed URLs) on failure. Never throws. */
  private async lookUp(list: WorkerList, discovery: WorkerDiscoveryConfig, discover: DiscoverWorkers): Promise<void> {
    const startedAt = this.now();
    try {
      const found = await discover(discovery, AbortSignal.timeout(this.options.discoveryTimeoutMs ?? 2000));
      // Sorted, so every router instance sees the same list in the same order.
      const hosts = [...new Set(found)].sort();
      list.urls = hosts.length > 0 ? hosts : list.listed;
      list.discovered = hosts.length > 0;
      list.failedLookups = 0;
      // A little jitter keeps execution environments started together from looking up together.
      list.nextLookupAt = startedAt + this.listTtlMs * (0.9 + 0.2 * Math.random());
      if (hosts.length === 0) this.warn(`${discovery.targetGroupArn} has no healthy target; using ${list.listed.join(', ')}`);
    } catch (error) {
      list.failedLookups++;
      const wait = Math.min(this.listTtlMs, this.minRefreshIntervalMs * 2 ** (list.failedLookups - 1));
      list.nextLookupAt = startedAt + wait;
      this.warn(`discovering ${discovery.targetGroupArn} failed (${(error as Error).message}); using ${list.urls.join(', ')}`);
    } finally {
      list.lastLookupAt = startedAt;
      list.lookup = undefined;
    }
  }

  /**
   * Reads every worker's load at once; a worker that does not answer in time (or at all) has no
   * figures until the next read. Never throws.
   */
  private async readLoads(list: WorkerList, readLoad: ReadWorkerLoad): Promise<void> {
    const timeoutMs = this.options.loadTimeoutMs ?? 500;
    const readOne = async (url: string) => {
      try {
        return [url, await readLoad(url, AbortSignal.timeout(timeoutMs))] as const;
      } catch {
        return [url, undefined] as const;
      }
    };
    const read = await Promise.all(list.urls.map(readOne));
    list.loads = new Map(read.filter((entry): entry is readonly [string, ReportedLoad] => entry[1] !== undefined));
    list.nextLoadReadAt = this.now() + this.loadTtlMs;
    list.loadRead = undefined;
  }

  private warn(message: string): void {
    (this.options.warn ?? console.warn)(`worker directory: ${message}`);
  }
}
