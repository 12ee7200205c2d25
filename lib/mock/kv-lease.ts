import { randomUUID } from 'node:crypto';

export type LeaseTake = { readonly blob: Buffer } | { readonly error: string };

/**
 * KV blobs a prefill worker keeps for decode workers to pull, each under a lease: released
 * when pulled, when the puller gives up, or when the lease runs out (vLLM frees unpulled
 * blocks after its abort timeout, 30 s by default).
 */
export class KvLeaseStore {
  private readonly leases = new Map<string, { blob: Buffer; timer: NodeJS.Timeout }>();
  private readonly expired = new Set<string>();

  constructor(private readonly leaseMs: number) {}

  public add(blob: Buffer): string {
    const id = randomUUID();
    // A lease of 0 ms (the `--kv-lease-ms 0` fault) has run out before any pull: a 0 ms timer would
    // race the pull, and lose to it when the hand-off crosses localhost within a millisecond.
    if (this.leaseMs <= 0) {
      this.expire(id);
      return id;
    }
    const timer = setTimeout(() => {
      this.leases.delete(id);
      this.expire(id);
    }, this.leaseMs);
    timer.unref();
    this.leases.set(id, { blob, timer });
    return id;
  }

  /** Remembered for one more lease period (at least a second), so a late pull can say "expired", then forgotten. */
  private expire(id: string): void {
    this.expired.add(id);
    setTimeout(() => this.expired.delete(id), Math.max(this.leaseMs, 1000)).unref();
  }

  /** Hands the blob over and ends the lease. */
  public take(id: string): LeaseTake {
    const lease = this.leases.get(id);
    if (!lease) {
      return { error: this.expired.delete(id) ? `KV lease ${id} expired before the pull` : `no KV lease ${id}` };
    }
    this.release(id);
    return { blob: lease.blob };
  }

  public release(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    clearTimeout(lease.timer);
    this.leases.delete(id);
  }

  /** Leases held now. */
  public get size(): number {
    return this.leases.size;
  }

  /** Bytes held under lease now. */
  public get bytes(): number {
    let total = 0;
    for (const lease of this.leases.values()) total += lease.blob.length;
    return total;
  }

  public clear(): void {
    for (const id of [...this.leases.keys()]) this.release(id);
    this.expired.clear();
  }
}
