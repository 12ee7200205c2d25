import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { Readable } from 'node:stream';
import { drainOrClose } from '../http/drain';
import { HttpHandler } from '../http/http-types';
import { readBytes } from '../http/read-bytes';

/** The connection preface an HTTP/2 client with prior knowledge sends first (RFC 9113 3.4). */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface NodeServerOptions {
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * Bodies longer than this are not buffered whole: the handler gets the first `maxBodyBytes + 1`
   * bytes (so it can refuse them) and the rest is discarded. @default 4 MiB
   */
  readonly maxBodyBytes?: number;
  /** How long `close()` waits for requests in progress before cutting them off. @default 5000 */
  readonly shutdownGraceMs?: number;
  /**
   * How long a connection may stay silent before its first request, an HTTP/1.1 request may
   * take to send its headers, and an HTTP/2 session may sit with nothing going on, before the
   * connection is closed; and how long a streamed answer waits for a client that stopped reading
   * before it is cut off: idle, trickling or stalled clients must not hold sockets (or the
   * gateway's request slots and upstream calls) forever. @default 60000
   */
  readonly idleTimeoutMs?: number;
}

export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** Requests being answered now (streams until they end). */
  readonly activeRequests: number;
  /** Stops accepting, lets requests in progress finish (up to the grace period), then closes. */
  close(): Promise<void>;
}

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Bytes discarded past the limit before the connection is cut instead: stops a client streaming forever. */
const DRAIN_FACTOR = 8;

/**
 * Serves a transport-neutral handler on one port in cleartext HTTP/2 (prior knowledge, what the
 * official Bedrock client speaks by default) and HTTP/1.1. Node's `allowHTTP1` only works with
 * TLS ALPN, so each connection's first bytes are sniffed for the HTTP/2 preface and the socket
 * goes to the matching server.
 */
export async function startNodeServer(handler: HttpHandler, options: NodeServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const graceMs = options.shutdownGraceMs ?? 5000;
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const sockets = new Set<net.Socket>();
  const activePerSocket = new Map<net.Socket, number>();
  let closing = false;
  let activeRequests = 0;

  const onRequest = (req: AnyRequest, res: AnyResponse) => {
    const socket = req.socket as net.Socket;
    activeRequests++;
    activePerSocket.set(socket, (activePerSocket.get(socket) ?? 0) + 1);
    void serve(handler, req, res, maxBodyBytes, idleMs, () => closing).finally(() => {
      activeRequests--;
      const left = (activePerSocket.get(socket) ?? 1) - 1;
      activePerSocket.set(socket, left);
      // HTTP/1.1 keep-alive sockets go as soon as they fall idle during shutdown.
      if (closing && left === 0 && !(req instanceof http2.Http2ServerRequest)) socket.end();
    });
  };
  const h1 = http.createServer(
    {
      headersTimeout: idleMs,
      requestTimeout: Math.max(idleMs, 300_000),
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(idleMs / 4))),
    },
    onRequest,
  );
  // Node enforces headersTimeout and requestTimeout (the slowloris guards) only on servers that
  // emitted 'listening'; h1 never listens itself (the sniffing server hands it sockets), so it is told.
  h1.emit('listening');
  const h2 = http2.createServer({}, onRequest);
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (session) => {
    // A session idle this long is closed gracefully: streams still open finish, no new ones start.
    session.setTimeout(idleMs, () => session.close());
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    if (closing) session.close();
  });

  // No Nagle: a response that goes out as two writes (an HTTP/1.1 stream's last data and its end) must not wait for an ACK.
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      activePerSocket.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    // Until its first bytes say which protocol it speaks, a connection has no server to time it out.
    const onSilent = () => socket.destroy();
    socket.setTimeout(idleMs);
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
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    port,
    get activeRequests() {
      return activeRequests;
    },
    close: async () => {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      h1.close(); // stops its connection checks (it never listened, so there is nothing else to close)
      for (const session of sessions) session.close();
      for (const socket of sockets) if (!activePerSocket.get(socket) && !isHttp2Socket(socket, sessions)) socket.end();
      const drained = new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (sockets.size === 0) {
            clearInterval(check);
            resolve();
          }
        }, 10);
        setTimeout(() => {
          clearInterval(check);
          for (const socket of sockets) socket.destroy();
          resolve();
        }, graceMs).unref();
      });
      await drained;
      await stopped;
    },
  };
}

function isHttp2Socket(socket: net.Socket, sessions: Set<http2.ServerHttp2Session>): boolean {
  for (const session of sessions) if (session.socket === socket) return true;
  return false;
}

async function serve(
  handler: HttpHandler,
  req: AnyRequest,
  res: AnyResponse,
  maxBodyBytes: number,
  stallMs: number,
  closing: () => boolean,
) {
  const controller = new AbortController();
  // Set just before this side ends the exchange: a close before that means the client left.
  let finished = false;
  res.on('close', () => {
    if (!finished) controller.abort();
  });
  const isHttp2 = req instanceof http2.Http2ServerRequest;
  // Drops the exchange without a clean end. HTTP/1.1 flushes what was written first (a peer that
  // already had headers sees a truncated body); before any headers the socket just goes.
  const cut = () => {
    if (isHttp2) (req as http2.Http2ServerRequest).stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    else if (res.headersSent) req.socket.end(() => req.socket.destroy());
    else req.socket.destroy();
  };
  try {
    const body = await readBytes(req as Readable, { keep: maxBodyBytes, readAtMost: maxBodyBytes * DRAIN_FACTOR, onTooLong: cut });
    const headers: Record<string, string | undefined> = {};
    const received = req.headers;
    for (const name in received) {
      // Node gives header names in lower case already; HTTP/2 pseudo-headers are not headers.
      if (name.charCodeAt(0) === 58 /* ':' */) continue;
      const value = received[name];
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const response = await handler({
      method: req.method ?? 'GET',
      path: query < 0 ? url : url.slice(0, query),
      headers,
      body,
      signal: controller.signal,
    });
    const outHeaders: Record<string, string> = { ...response.headers };
    if (closing() && !isHttp2) outHeaders.connection = 'close';
    if (response.body instanceof Uint8Array) {
      // The client left while the handler ran: nobody to answer, and a response ended after its
      // 'close' never emits 'finish' or 'close' again, so waiting for one would never end.
      // (A streamed body is still iterated below: starting it is what runs its clean-up.)
      if (controller.signal.aborted) return;
      outHeaders['content-length'] = String(response.body.length);
      res.writeHead(response.status, outHeaders);
      finished = true;
      await new Promise<void>((resolve) => {
        res.once('finish', resolve);
        res.once('close', resolve);
        (res as http.ServerResponse).end(response.body);
      });
      return;
    }
    const iterator = response.body[Symbol.asyncIterator]();
    let writer: CoalescingWriter | undefined;
    try {
      // Headers wait for the first chunk: a stream that breaks before it looks like a dead server.
      let next = await iterator.next();
      res.writeHead(response.status, outHeaders);
      // Chunks produced in the same turn of the event loop (tokens that arrived together) leave
      // as one write: one system call, and one HTTP/1.1 chunk or HTTP/2 DATA frame for the peer.
      writer = new CoalescingWriter(res as http.ServerResponse, stallMs);
      while (!next.done && !controller.signal.aborted) {
        await writer.add(next.value);
        if (writer.stalled) break;
        next = await iterator.next();
      }
      if (writer.stalled) {
        // The client stopped reading: its buffers are full, so only dropping the exchange frees it.
        if (isHttp2) (req as http2.Http2ServerRequest).stream.close(http2.constants.NGHTTP2_CANCEL);
        else req.socket.destroy();
      }
      if (controller.signal.aborted || writer.stalled) {
        await iterator.return?.();
        return;
      }
      finished = true;
      writer.end();
    } catch {
      // The stream broke: send what it produced, then drop the connection so the peer sees a
      // broken stream, not a clean end.
      finished = true;
      writer?.flush();
      cut();
    }
  } catch (error) {
    if (controller.signal.aborted) return; // the client left; the handler gave up on its behalf
    console.error('request handler failed:', error);
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'internal error' }));
    } else cut();
  }
}

/** Bytes gathered before a write goes out without waiting for the end of the event-loop turn. */
const COALESCE_BYTES = 64 * 1024;

/** Gathers a stream's chunks and writes them once per event-loop turn, honouring backpressure. */
class CoalescingWriter {
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
