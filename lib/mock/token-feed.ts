import type { DecodeBatch, DecodeTicket } from '../planning/engines/decode-batch';

/**
 * One stream's seat in the decode worker's batch: the engine produces the stream's tokens step by
 * step (on its own clock); the SSE writer takes them as they come. Only counts travel, since the
 * mock's text is a function of the token's position.
 */
export class TokenFeed {
  private produced = 0;
  private taken = 0;
  private done = false;
  private waiter: (() => void) | undefined;
  private readonly ticket: DecodeTicket;

  constructor(batch: DecodeBatch, promptTokens: number, outputTokens: number) {
    this.ticket = batch.join({
      promptTokens,
      outputTokens,
      onToken: () => {
        this.produced++;
        this.wake();
      },
      onDone: () => {
        this.done = true;
        this.wake();
      },
    });
  }

  /** Waits for the next token; false when the sequence has produced all of them; rejects with the signal's reason if it aborts. */
  public async next(signal: AbortSignal): Promise<boolean> {
    while (this.taken === this.produced && !this.done) {
      if (signal.aborted) throw signal.reason;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        this.waiter = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    if (this.taken === this.produced) return false;
    this.taken++;
    return true;
  }

  /** Leaves the batch (stop string, client gone, fault); later tokens are never produced. */
  public close(): void {
    this.ticket.cancel();
    this.done = true;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
