import type { HttpHandler } from '../http/http-types';
import { Exchange, type ExchangeOptions } from './exchange';
import { Listener } from './listener';

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

/**
 * The local (Node) adapter: serves a transport-neutral handler on one port in cleartext HTTP/2
 * (prior knowledge, what the official Bedrock client speaks by default) and HTTP/1.1. The
 * listener takes the connections; each request is one exchange with the handler.
 */
export async function startNodeServer(handler: HttpHandler, options: NodeServerOptions = {}): Promise<RunningServer> {
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const exchange: ExchangeOptions = { maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024, stallMs: idleMs };
  return Listener.start(
    { host: options.host ?? '127.0.0.1', port: options.port ?? 0, idleMs, graceMs: options.shutdownGraceMs ?? 5000 },
    (req, res, closing) => new Exchange(req, res, exchange, closing).serve(handler),
  );
}
