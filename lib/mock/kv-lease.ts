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
    const expire = () => {
      this.leases.delete(id);
      // Remembered for one more lease period, so a late pull can say "expired", then forgotten.
      this.expired.add(id);
      setTimeout(() => this.expired.delete(id), Math.max(this.leaseMs, 1000)).unref();
    };
    // A lease of 0 ms has run out before anyone can pull (a 0 ms timer would race a fast pull).
    if (this.leaseMs <= 0) {
      expire();
      return id;
    }
    const timer = setTimeout(expire, this.leaseMs);
    timer.unref();
    this.leases.set(id, { blob, timer });
    return id;
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
