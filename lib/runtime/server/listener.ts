import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { Connection, type ConnectionState, type ServedRequest } from './connection';
import type { AnyRequest, AnyResponse } from './exchange';

/** The connection preface an HTTP/2 client with prior knowledge sends first (RFC 9113 3.4). */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** How long requests told to stop (the grace period is over) get to send their last bytes before their sockets go. */
export const STOP_MS = 1000;

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Silence allowed before a first request, for HTTP/1.1 headers, and on an HTTP/2 session with nothing in progress. */
  readonly idleMs: number;
  /** How long `close()` waits for requests in progress before telling them to stop. */
  readonly graceMs: number;
  /** The time a request body has to arrive (the exchange enforces it; HTTP/1.1's own request limit is set past it, as a backstop). */
  readonly bodyTimeoutMs: number;
  /** Request-body bytes one connection may buffer at once. */
  readonly maxConnectionBodyBytes: number;
}

/** A served request as the listener needs it: it can be stopped, and it says when it is over. */
export interface RunningRequest extends ServedRequest {
  /** Settles when the request has ended, however it ended. */
  readonly done: Promise<void>;
}

/** Serves one request that came on `connection`. */
export type RequestServer = (req: AnyRequest, res: AnyResponse, connection: ConnectionState) => RunningRequest;

/**
 * One port that speaks cleartext HTTP/2 (prior knowledge, what the official Bedrock client
 * speaks by default) and HTTP/1.1. Node's `allowHTTP1` only works with TLS ALPN, so each
 * connection's first bytes are sniffed for the HTTP/2 preface and the socket goes to the matching
 * server. It keeps one record per connection (its protocol, requests in progress, buffered body
 * bytes), so `close()` can let requests finish (up to the grace period), end idle connections at
 * once, and tell requests still running at the end to stop.
 */
export class Listener {
  public static async start(options: ListenerOptions, serve: RequestServer): Promise<Listener> {
    const listener = new Listener(options, serve);
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen(options.port, options.host, () => resolve());
    });
    listener.boundPort = (listener.server.address() as net.AddressInfo).port;
    return listener;
  }

  private readonly server: net.Server;
  private readonly h1: http.Server;
  private readonly h2: http2.Http2Server;
  private readonly connections = new Map<net.Socket, Connection>();
  private readonly sessionConnections = new WeakMap<http2.ServerHttp2Session, Connection>();
  /** The connection being handed to the HTTP/2 server: its 'session' event comes synchronously. */
  private attaching: Connection | undefined;
  /** The port bound, kept: once closed, the server no longer has an address. */
  private boundPort = 0;
  private active = 0;
  private closed: Promise<void> | undefined;
  /** Called when the last connection closes while `close()` waits for that. */
  private onDrained: (() => void) | undefined;
  /** What every connection reads of the listener. */
  private readonly state: { closing: boolean; readonly maxConnectionBodyBytes: number };

  private constructor(
    private readonly options: ListenerOptions,
    private readonly serve: RequestServer,
  ) {
    this.state = { closing: false, maxConnectionBodyBytes: options.maxConnectionBodyBytes };
    const idleMs = options.idleMs;
    const onRequest = (req: AnyRequest, res: AnyResponse) => this.onRequest(req, res);
    this.h1 = http.createServer(
      {
        headersTimeout: idleMs,
        // The exchange gives the body its limit (the same for both protocols); Node's own
        // whole-request limit only backs it up, past headers plus body.
        requestTimeout: idleMs + options.bodyTimeoutMs,
        connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(idleMs / 4))),
      },
      onRequest,
    );
    // Node enforces headersTimeout and requestTimeout (the slowloris guards) only on servers that
    // emitted 'listening'; h1 never listens itself (the sniffing server hands it sockets), so it is told.
    this.h1.emit('listening');
    this.h2 = http2.createServer({}, onRequest);
    this.h2.on('session', (session) => {
      const connection = this.attaching!;
      connection.attachSession(session, idleMs);
      this.sessionConnections.set(session, connection);
      if (this.state.closing) session.close();
    });
    // No Nagle: a response that goes out as two writes (an HTTP/1.1 stream's last data and its end) must not wait for an ACK.
    this.server = net.createServer({ noDelay: true }, (socket) => this.onConnection(socket));
  }

  /** `http://host:port` */
  public get url(): string {
    return `http://${this.options.host}:${this.port}`;
  }

  public get port(): number {
    return this.boundPort;
  }

  /** Requests being answered now (streams until they end). */
  public get activeRequests(): number {
    return this.active;
  }

  /** Request-body bytes buffered now, over every connection. */
  public get bufferedBodyBytes(): number {
    let bytes = 0;
    for (const connection of this.connections.values()) bytes += connection.bufferedBodyBytes;
    return bytes;
  }

  /**
   * Stops accepting, lets requests in progress finish (up to the grace period), then tells those
   * still running to stop and, `STOP_MS` later, closes what is left. A property, so it works unbound.
   */
  public readonly close = (): Promise<void> => {
    if (!this.closed) {
      this.state.closing = true;
      this.closed = this.shutDown();
    }
    return this.closed;
  };

  private async shutDown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.h1.close(); // stops its connection checks (it never listened, so there is nothing else to close)
    for (const connection of this.connections.values()) connection.shutDown();
    if (!(await this.drained(this.options.graceMs))) {
      for (const connection of this.connections.values()) for (const request of connection.requests) request.stop();
      if (!(await this.drained(STOP_MS))) for (const connection of this.connections.values()) connection.socket.destroy();
    }
    await stopped;
  }

  /** True once every connection has closed; false if `ms` pass first. */
  private drained(ms: number): Promise<boolean> {
    if (this.connections.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onDrained = undefined;
        resolve(false);
      }, ms);
      this.onDrained = () => {
        clearTimeout(timer);
        this.onDrained = undefined;
        resolve(true);
      };
    });
  }

  private connectionOf(req: AnyRequest): Connection | undefined {
    return req instanceof http2.Http2ServerRequest ? this.sessionConnections.get(req.stream.session as http2.ServerHttp2Session) : this.connections.get(req.socket);
  }

  private onRequest(req: AnyRequest, res: AnyResponse): void {
    const connection = this.connectionOf(req);
    if (!connection) {
      // Its connection closed between the request's arrival and this event: nobody to answer.
      res.destroy();
      return;
    }
    this.active++;
    const request = this.serve(req, res, connection);
    connection.begin(request);
    void request.done.finally(() => {
      this.active--;
      connection.end(request);
      // HTTP/1.1 keep-alive sockets go as soon as they fall idle during shutdown.
      if (this.state.closing && connection.protocol === 'http/1.1' && connection.requests.size === 0) connection.socket.end();
    });
  }

  /** A new connection: sniffed for the HTTP/2 preface, then handed to the server of its protocol. */
  private onConnection(socket: net.Socket): void {
    const connection = new Connection(socket, this.state);
    this.connections.set(socket, connection);
    socket.on('close', () => {
      this.connections.delete(socket);
      connection.closed();
      if (this.connections.size === 0) this.onDrained?.();
    });
    socket.on('error', () => socket.destroy());
    // Until its first bytes say which protocol it speaks, a connection has no server to time it out.
    const onSilent = () => socket.destroy();
    socket.setTimeout(this.options.idleMs);
    socket.once('timeout', onSilent);
    let head = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      head = Buffer.concat([head, data]);
      const compared = Math.min(head.length, HTTP2_PREFACE.length);
      const looksHttp2 = head.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
      if (looksHttp2 && compared < HTTP2_PREFACE.length) return; // need more bytes to decide
      socket.off('data', onData);
      socket.setTimeout(0);
      socket.off('timeout', onSilent);
      socket.pause();
      socket.unshift(head);
      if (looksHttp2) {
        // The HTTP/2 session reads bytes already buffered on the socket itself, then takes over the handle.
        this.attaching = connection;
        this.h2.emit('connection', socket);
        this.attaching = undefined;
      } else {
        connection.protocol = 'http/1.1';
        this.h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  }
}
