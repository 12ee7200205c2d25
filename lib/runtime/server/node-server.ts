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
  /**
   * How long a request body may take to arrive, from the request's headers to its last byte, over
   * HTTP/1.1 and HTTP/2 alike. Past it the request is answered 408 (`{"message": ...}`) and what
   * the body was arriving on is closed: the HTTP/2 stream (RST_STREAM NO_ERROR) or the HTTP/1.1
   * connection. A body that never ends must not hold its stream and its buffered bytes for good.
   * @default 30000
   */
  readonly bodyTimeoutMs?: number;
  /**
   * Request-body bytes one connection may have buffered at once, over its requests whose bodies
   * are still arriving (HTTP/2 multiplexes many requests on one connection). A request that would
   * take its connection past it is answered 429 (`{"message": ...}`, which the official client
   * retries as throttling: @smithy/core's retry `isThrottlingError`) and its stream closed. At least `maxBodyBytes + 1`, so one request of any accepted
   * size always fits. @default 8 × maxBodyBytes (32 MiB)
   */
  readonly maxConnectionBodyBytes?: number;
  /**
   * How long `close()` waits for requests in progress to finish. Requests still running then are
   * told to stop (their signal aborts with a `ServerStopping` reason): the handler answers at once,
   * a stream already started ends with an error the client raises (the Bedrock gateway sends a
   * `serviceUnavailableException` event). One second later whatever is left is cut.
   * @default 5000
   */
  readonly shutdownGraceMs?: number;
  /**
   * How long a connection may stay silent before its first request, an HTTP/1.1 request may
   * take to send its headers, and an HTTP/2 session may sit with no request in progress, before
   * the connection is closed; and how long a streamed answer waits for a client that stopped
   * reading before it is cut off: idle, trickling or stalled clients must not hold sockets (or the
   * gateway's request slots and upstream calls) forever. @default 60000
   */
  readonly idleTimeoutMs?: number;
}

export const DEFAULT_BODY_TIMEOUT_MS = 30_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** Requests being answered now (streams until they end). */
  readonly activeRequests: number;
  /** Request-body bytes buffered now, over every connection (bodies still arriving). */
  readonly bufferedBodyBytes: number;
  /**
   * Stops accepting, lets requests in progress finish (up to the grace period), tells those still
   * running to stop, and resolves once every connection has closed (at most one second later).
   */
  close(): Promise<void>;
}

/**
 * The local (Node) adapter: serves a transport-neutral handler on one port in cleartext HTTP/2
 * (prior knowledge, what the official Bedrock client speaks by default) and HTTP/1.1. The
 * listener takes the connections; each request is one exchange with the handler.
 */
export async function startNodeServer(handler: HttpHandler, options: NodeServerOptions = {}): Promise<RunningServer> {
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxConnectionBodyBytes = options.maxConnectionBodyBytes ?? 8 * maxBodyBytes;
  if (maxConnectionBodyBytes <= maxBodyBytes) {
    throw new Error(`maxConnectionBodyBytes (${maxConnectionBodyBytes}) must be more than maxBodyBytes (${maxBodyBytes}), so one request of any accepted size fits.`);
  }
  const exchange: ExchangeOptions = { maxBodyBytes, bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS, stallMs: idleMs };
  return Listener.start(
    {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      idleMs,
      graceMs: options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
      bodyTimeoutMs: exchange.bodyTimeoutMs,
      maxConnectionBodyBytes,
    },
    (req, res, connection) => new Exchange(req, res, exchange, connection, handler),
  );
}
