import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { AnyRequest, AnyResponse } from './exchange';

/** The connection preface an HTTP/2 client with prior knowledge sends first (RFC 9113 3.4). */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Silence allowed before a first request, for HTTP/1.1 headers, and on an idle HTTP/2 session. */
  readonly idleMs: number;
  /** How long `close()` waits for requests in progress before cutting them off. */
  readonly graceMs: number;
}

/** Serves one request; `closing` says whether the listener is shutting down. */
export type RequestServer = (req: AnyRequest, res: AnyResponse, closing: () => boolean) => Promise<void>;

/**
 * One port that speaks cleartext HTTP/2 (prior knowledge, what the official Bedrock client
 * speaks by default) and HTTP/1.1. Node's `allowHTTP1` only works with TLS ALPN, so each
 * connection's first bytes are sniffed for the HTTP/2 preface and the socket goes to the matching
 * server. It keeps the books on sockets, sessions and requests in progress, so `close()` can
 * let those finish (up to the grace period) and end idle connections at once.
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
  private readonly sockets = new Set<net.Socket>();
  private readonly activePerSocket = new Map<net.Socket, number>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /** The port bound, kept: once closed, the server no longer has an address. */
  private boundPort = 0;
  private closing = false;
  private active = 0;
  private readonly isClosing = () => this.closing;

  private constructor(
    private readonly options: ListenerOptions,
    private readonly serve: RequestServer,
  ) {
    const idleMs = options.idleMs;
    const onRequest = (req: AnyRequest, res: AnyResponse) => this.onRequest(req, res);
    this.h1 = http.createServer(
      {
        headersTimeout: idleMs,
        requestTimeout: Math.max(idleMs, 300_000),
        connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(idleMs / 4))),
      },
      onRequest,
    );
    // Node enforces headersTimeout and requestTimeout (the slowloris guards) only on servers that
    // emitted 'listening'; h1 never listens itself (the sniffing server hands it sockets), so it is told.
    this.h1.emit('listening');
    this.h2 = http2.createServer({}, onRequest);
    this.h2.on('session', (session) => {
      // A session idle this long is closed gracefully: streams still open finish, no new ones start.
      session.setTimeout(idleMs, () => session.close());
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      if (this.closing) session.close();
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

  /** Stops accepting, lets requests in progress finish (up to the grace period), then closes. A property, so it works unbound. */
  public readonly close = async (): Promise<void> => {
    if (this.closing) return;
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.h1.close(); // stops its connection checks (it never listened, so there is nothing else to close)
    for (const session of this.sessions) session.close();
    for (const socket of this.sockets) if (!this.activePerSocket.get(socket) && !this.isHttp2Socket(socket)) socket.end();
    const drained = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (this.sockets.size === 0) {
          clearInterval(check);
          resolve();
        }
      }, 10);
      setTimeout(() => {
        clearInterval(check);
        for (const socket of this.sockets) socket.destroy();
        resolve();
      }, this.options.graceMs).unref();
    });
    await drained;
    await stopped;
  };

  private onRequest(req: AnyRequest, res: AnyResponse): void {
    const socket = req.socket as net.Socket;
    this.active++;
    this.activePerSocket.set(socket, (this.activePerSocket.get(socket) ?? 0) + 1);
    void this.serve(req, res, this.isClosing).finally(() => {
      this.active--;
      const left = (this.activePerSocket.get(socket) ?? 1) - 1;
      this.activePerSocket.set(socket, left);
      // HTTP/1.1 keep-alive sockets go as soon as they fall idle during shutdown.
      if (this.closing && left === 0 && !(req instanceof http2.Http2ServerRequest)) socket.end();
    });
  }

  /** A new connection: sniffed for the HTTP/2 preface, then handed to the server of its protocol. */
  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.activePerSocket.delete(socket);
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
        this.h2.emit('connection', socket);
      } else {
        this.h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  }

  private isHttp2Socket(socket: net.Socket): boolean {
    for (const session of this.sessions) if (session.socket === socket) return true;
    return false;
  }
}
