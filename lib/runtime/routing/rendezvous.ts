import { chainHash } from './block-hash';
import { loadOf, type WorkerLoad } from './routing-policy';

/**
 * Placement that needs no shared memory: rendezvous (highest-random-weight) hashing ranks the
 * workers for a key by a hash of the key and each worker's URL, so every router instance with the
 * same healthy workers ranks them the same way, and a worker leaving moves only the keys it ranked
 * first. Bounded loads keep one key from piling onto one worker: the first worker in rank order
 * whose load stays within `loadFactor` of the mean takes it (Mirrokni, Thorup and Zadimoghaddam,
 * "Consistent Hashing with Bounded Loads", arXiv 1608.01350; the check is KubeAI's `chwblLoadOK`,
 * internal/loadbalancer/balance_chwbl.go, with its default of 125%).
 */

/** KubeAI's MeanLoadPercentage default: no worker above 1.25 times the mean load, this request counted. */
export const DEFAULT_LOAD_FACTOR = 1.25;

const urlCodes = new Map<string, Uint16Array>();

/** A URL's characters as numbers, once per URL (workers are few; their URLs are hashed per request). */
function codesOf(url: string): Uint16Array {
  let codes = urlCodes.get(url);
  if (!codes) {
    codes = Uint16Array.from(url, (c) => c.charCodeAt(0));
    if (urlCodes.size < 4096) urlCodes.set(url, codes);
  }
  return codes;
}

/** The workers in rendezvous order for `key`: the highest hash of (key, URL) first. */
export function rendezvousOrder<W extends WorkerLoad>(workers: readonly W[], key: number): W[] {
  const scored = workers.map((worker) => ({ worker, score: chainHash(key, codesOf(worker.url)) }));
  scored.sort((a, b) => b.score - a.score || (a.worker.url < b.worker.url ? -1 : 1));
  return scored.map((s) => s.worker);
}

/** Whether one more request keeps `worker` within `loadFactor` of the mean load of `workers` (counting that request). */
export function withinBoundedLoad(worker: WorkerLoad, workers: readonly WorkerLoad[], loadFactor = DEFAULT_LOAD_FACTOR): boolean {
  let total = 0;
  for (const w of workers) total += loadOf(w);
  if (total === 0) return true;
  const mean = (total + 1) / workers.length;
  return loadOf(worker) + 1 <= mean * loadFactor;
}

/** The first worker in rendezvous order for `key` within the bounded load; the first in order when none is. */
export function rendezvousChoice<W extends WorkerLoad>(workers: readonly W[], key: number, loadFactor = DEFAULT_LOAD_FACTOR): W {
  const order = rendezvousOrder(workers, key);
  return order.find((worker) => withinBoundedLoad(worker, workers, loadFactor)) ?? order[0];
}
