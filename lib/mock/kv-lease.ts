import { randomUUID } from 'node:crypto';

export type LeaseTake = { readonly blob: Buffer } | { readonly error: string };

/** What a lease keeps: a prompt's KV, from which a pull takes the tail the puller lacks. */
export interface LeasedKv {
  /** The KV of the prompt from token `fromToken` on. */
  blob(fromToken: number): Buffer;
  /** Bytes the whole prompt's KV takes (scaled down, as the blobs are). */
  readonly bytes: number;
}

interface Lease {
  readonly kv: LeasedKv;
  readonly timer: NodeJS.Timeout;
  readonly onEnd?: () => void;
}

/**
 * KV a prefill worker keeps for decode workers to pull, each under a lease: released when pulled,
 * when the puller gives up, or when the lease runs out (vLLM frees unpulled blocks after its abort
 * timeout, 30 s by default). `onEnd` runs once when the lease ends, however it ends: the worker's
 * prefix cache holds the prompt's blocks until then.
 */
export class KvLeaseStore {
  private readonly leases = new Map<string, Lease>();
  private readonly expired = new Set<string>();

  constructor(private readonly leaseMs: number) {}

  /** Leases `kv` (a whole blob, or a prompt's KV a pull takes a tail of). */
  public add(kv: Buffer | LeasedKv, onEnd?: () => void): string {
    const leased: LeasedKv = Buffer.isBuffer(kv) ? { blob: () => kv, bytes: kv.length } : kv;
    const id = randomUUID();
    const expire = () => {
      this.end(id);
      // Remembered for one more lease period, so a late pull can say "expired", then forgotten.
      this.expired.add(id);
      setTimeout(() => this.expired.delete(id), Math.max(this.leaseMs, 1000)).unref();
    };
    // A lease of 0 ms has run out before anyone can pull (a 0 ms timer would race a fast pull).
    if (this.leaseMs <= 0) {
      onEnd?.();
      expire();
      return id;
    }
    const timer = setTimeout(expire, this.leaseMs);
    timer.unref();
    this.leases.set(id, { kv: leased, timer, onEnd });
    return id;
  }

  /** Hands the KV over from `fromToken` on and ends the lease. */
  public take(id: string, fromToken = 0): LeaseTake {
    const lease = this.leases.get(id);
    if (!lease) {
      return { error: this.expired.delete(id) ? `KV lease ${id} expired before the pull` : `no KV lease ${id}` };
    }
    const blob = lease.kv.blob(fromToken);
    this.release(id);
    return { blob };
  }

  public release(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    clearTimeout(lease.timer);
    this.end(id);
  }

  /** Leases held now. */
  public get size(): number {
    return this.leases.size;
  }

  /** Bytes held under lease now. */
  public get bytes(): number {
    let total = 0;
    for (const lease of this.leases.values()) total += lease.kv.bytes;
    return total;
  }

  public clear(): void {
    for (const id of [...this.leases.keys()]) this.release(id);
    this.expired.clear();
  }

  private end(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.leases.delete(id);
    lease.onEnd?.();
  }
}
