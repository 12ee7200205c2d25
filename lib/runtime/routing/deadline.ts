import { StageTimeout } from './upstream-failure';

/**
 * A stage's abort signal: it aborts when any parent signal does (the client leaving, the
 * whole-request limit) or when the stage's own time limit passes, with a StageTimeout as the
 * reason so a failure can tell a timeout from the client going away. The limit can be re-armed
 * (the decode stream's changes from "until the first token" to "between two tokens").
 * Cheaper than `AbortSignal.any`, and `clear()` detaches everything, so nothing outlives the stage.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stage = '';
  private ms = 0;
  private readonly detach: Array<() => void> = [];

  constructor(stage: string, ms: number, parents: readonly AbortSignal[] = []) {
    for (const parent of parents) {
      if (parent.aborted) {
        this.controller.abort(parent.reason);
        break;
      }
      const onAbort = () => this.controller.abort(parent.reason);
      parent.addEventListener('abort', onAbort, { once: true });
      this.detach.push(() => parent.removeEventListener('abort', onAbort));
    }
    this.arm(stage, ms);
  }

  public get signal(): AbortSignal {
    return this.controller.signal;
  }

  public arm(stage: string, ms: number): void {
    this.stage = stage;
    if (this.timer && ms === this.ms && !this.controller.signal.aborted) {
      // Re-armed with the same limit (the decode stream's, on every token batch): restart the clock.
      this.timer.refresh();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ms = ms;
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => this.controller.abort(new StageTimeout(this.stage, this.ms)), ms);
    // A deadline must never be what keeps a process alive.
    this.timer.unref();
  }

  /** Stops the clock and lets go of the parents. */
  public clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const detach of this.detach.splice(0)) detach();
  }
}
