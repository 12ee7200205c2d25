import type { Clock } from './clock';

/** A prompt waiting for, or taking, its turn on a worker. */
export interface QueuedPrompt {
  /** Leaves the queue; a prompt already being computed keeps the worker busy to the end, unreported. */
  cancel(): void;
}

interface Job {
  readonly serviceMs: number;
  readonly done: (atMs: number) => void;
  cancelled: boolean;
}

/**
 * The contention rule of prompt processing: a worker computes one prompt at a time, in arrival
 * order. Prefill is compute-bound, so batching prompts together would not add throughput (the same
 * FLOPs go through the same engines), and serving them in turn gives the lowest mean wait; the
 * Neuron tutorials run context encoding one prompt at a time too (`--ctx-batch-size 1`). A prompt
 * cancelled while it waits leaves the queue; one cancelled while computing still occupies the worker
 * until its compute ends (a forward pass cannot be recalled). The mock's prefill workers (and its
 * decode worker's prompt replay) and the planner's simulation both queue through this class.
 */
export class PrefillQueue {
  private readonly waiting: Job[] = [];
  private head = 0;
  private running: Job | undefined;
  private busy = 0;

  constructor(private readonly clock: Clock) {}

  /** Prompts waiting or being computed. */
  public get depth(): number {
    return this.waiting.length - this.head + (this.running ? 1 : 0);
  }

  /** Compute time started so far, in ms (for utilisation). */
  public get busyMs(): number {
    return this.busy;
  }

  /** Queues `serviceMs` of compute; `done` runs at the time it completes. */
  public submit(serviceMs: number, done: (atMs: number) => void): QueuedPrompt {
    const job: Job = { serviceMs, done, cancelled: false };
    this.waiting.push(job);
    if (!this.running) this.startNext(this.clock.now());
    return {
      cancel: () => {
        job.cancelled = true;
      },
    };
  }

  /** `submit` as a promise: resolves when the compute is done, rejects with the signal's reason if it aborts first. */
  public run(serviceMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    // Nothing to compute and nobody ahead: no turn to wait for (timing "none").
    if (serviceMs <= 0 && this.depth === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        queued.cancel();
        reject(signal!.reason);
      };
      const queued = this.submit(serviceMs, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private startNext(atMs: number): void {
    let job: Job | undefined;
    while (this.head < this.waiting.length) {
      const next = this.waiting[this.head++];
      if (!next.cancelled) {
        job = next;
        break;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    this.running = job;
    if (!job) return;
    this.busy += job.serviceMs;
    const endMs = atMs + job.serviceMs;
    this.clock.at(endMs, () => {
      this.startNext(endMs);
      if (!job.cancelled) job.done(endMs);
    });
  }
}
