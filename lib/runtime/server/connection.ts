import type * as http2 from 'node:http2';
import type * as net from 'node:net';

/** What an exchange sees of the connection its request came on. */
export interface ConnectionState {
  /** True once the listener is shutting down: HTTP/1.1 answers then say `connection: close`. */
  readonly closing: boolean;
  /**
   * Takes `bytes` of request body into the connection's allowance of body bytes buffered at once
   * (HTTP/2 multiplexes many requests on one connection); false, taking nothing, when that would
   * go past it.
   */
  reserveBodyBytes(bytes: number): boolean;
  /** Gives back body bytes reserved, once that body has been read (or abandoned). */
  releaseBodyBytes(bytes: number): void;
}

/** What connections read of their listener. */
export interface ListenerState {
  readonly closing: boolean;
  /** Request-body bytes one connection may buffer at once. */
  readonly maxConnectionBodyBytes: number;
}

/** One request being served, as its connection sees it. */
export interface ServedRequest {
  /** The grace period is over: end now (an error answer, or an in-stream error, where the handler gives one). */
  stop(): void;
}

/**
 * One accepted socket and what it carries: its protocol once sniffed (an HTTP/2 session, or
 * HTTP/1.1 requests on the socket itself), the requests in progress on it, and the body bytes
 * they buffer. Everything a request needs from its connection hangs off this record, which goes
 * when the socket closes: nothing is keyed by per-request objects (HTTP/2 hands each request a
 * new proxy for `req.socket`), so nothing outlives the connection.
 */
export class Connection implements ConnectionState {
  /** Set once the socket's first bytes said which protocol it speaks. */
  public protocol?: 'http/1.1' | 'h2';
  /** The socket's HTTP/2 session, once it turned out to speak HTTP/2. */
  public session?: http2.ServerHttp2Session;
  public readonly requests = new Set<ServedRequest>();
  private bodyBytes = 0;
  /** Closes an HTTP/2 session with nothing in progress. Ours, not `session.setTimeout`: Node's survives the session's close. */
  private idleTimer?: NodeJS.Timeout;

  constructor(
    public readonly socket: net.Socket,
    private readonly listener: ListenerState,
  ) {}

  public get closing(): boolean {
    return this.listener.closing;
  }

  /** Body bytes buffered now by this connection's requests. */
  public get bufferedBodyBytes(): number {
    return this.bodyBytes;
  }

  public reserveBodyBytes(bytes: number): boolean {
    if (this.bodyBytes + bytes > this.listener.maxConnectionBodyBytes) return false;
    this.bodyBytes += bytes;
    return true;
  }

  public releaseBodyBytes(bytes: number): void {
    this.bodyBytes -= bytes;
  }

  /** The socket speaks HTTP/2: `session` carries its requests; after `idleMs` with none in progress it is closed gracefully. */
  public attachSession(session: http2.ServerHttp2Session, idleMs: number): void {
    this.protocol = 'h2';
    this.session = session;
    this.idleTimer = setTimeout(() => {
      if (this.requests.size === 0) session.close();
    }, idleMs);
    this.idleTimer.unref();
  }

  public begin(request: ServedRequest): void {
    this.requests.add(request);
  }

  /** A request ended; an HTTP/2 session left with none starts its idle clock again. */
  public end(request: ServedRequest): void {
    this.requests.delete(request);
    if (this.requests.size === 0) this.idleTimer?.refresh();
  }

  /**
   * The listener is stopping: an HTTP/2 session stops taking streams (GOAWAY) and closes once
   * those in progress have ended; an idle HTTP/1.1 socket ends now, a busy one after its answer;
   * a socket that has not said what it speaks yet just goes.
   */
  public shutDown(): void {
    if (this.session) this.session.close();
    else if (!this.protocol) this.socket.destroy();
    else if (this.requests.size === 0) this.socket.end();
  }

  /** The socket closed: its idle clock must not keep the session (and so the record) reachable. */
  public closed(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
