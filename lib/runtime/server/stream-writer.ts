import type * as http from 'node:http';
import { drainOrClose } from '../http/drain';

/** Bytes gathered before a write goes out without waiting for the end of the event-loop turn. */
const COALESCE_BYTES = 64 * 1024;

/**
 * Gathers a streamed answer's chunks and writes them once per event-loop turn, honouring
 * backpressure: chunks produced in the same turn (tokens that arrived together) leave as one
 * write, one system call, and one HTTP/1.1 chunk or HTTP/2 DATA frame for the peer.
 */
export class CoalescingWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  /**
   * Set while the socket's buffer is full. It starts listening for 'drain' at the write that
   * filled the buffer, not when the next chunk comes: by then the drain may be over.
   */
  private drained: Promise<void> | undefined;
  /** Set when a full buffer did not drain within the stall limit: the client stopped reading. */
  public stalled = false;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly stallMs: number,
  ) {}

  private take(): Uint8Array | undefined {
    if (this.pending.length === 0) return undefined;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    return data;
  }

  public async add(chunk: Uint8Array): Promise<void> {
    if (this.drained) await this.drained;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= COALESCE_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Ends the response with what is still gathered: the last data and the end go out in one write. */
  public end(): void {
    if (this.res.destroyed) return;
    const data = this.take();
    if (data) this.res.end(data);
    else this.res.end();
  }

  public flush(): void {
    this.scheduled = false;
    if (this.res.writableEnded || this.res.destroyed) return;
    const data = this.take();
    if (data && !this.res.write(data) && !this.drained) {
      this.drained = drainOrClose(this.res, this.stallMs).then((outcome) => {
        this.stalled = outcome === 'stalled';
        this.drained = undefined;
      });
    }
  }
}
