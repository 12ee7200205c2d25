import { StageTimeout } from './upstream';

/**
 * A stage time limit that can be re-armed (the decode stream's limit changes from "until the
 * first token" to "between two tokens"). Its signal aborts with a StageTimeout as the reason,
 * so a failure can tell a timeout from the client going away.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(stage: string, ms: number) {
    this.arm(stage, ms);
  }

  public get signal(): AbortSignal {
    return this.controller.signal;
  }

  public arm(stage: string, ms: number): void {
    this.clear();
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => this.controller.abort(new StageTimeout(stage, ms)), ms);
    // A deadline must never be what keeps a process alive.
    this.timer.unref();
  }

  public clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
