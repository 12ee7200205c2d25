import type * as http from 'node:http';
import * as http2 from 'node:http2';
import type { Readable } from 'node:stream';
import { type GatewayRequest, type HttpHandler, ServerStopping } from '../http/http-types';
import { readBytes, ReadRefused } from '../http/read-bytes';
import type { ConnectionState } from './connection';
import type { RunningRequest } from './listener';
import { CoalescingWriter } from './stream-writer';

export type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface ExchangeOptions {
  /** Bodies longer than this reach the handler cut to `maxBodyBytes + 1` bytes. */
  readonly maxBodyBytes: number;
  /** How long a request body may take to arrive, from its headers to its end. */
  readonly bodyTimeoutMs: number;
  /** How long a streamed answer waits for a client that stopped reading before it is cut off. */
  readonly stallMs: number;
}

/** Bytes discarded past the limit before the connection is cut instead: stops a client streaming forever. */
const DRAIN_FACTOR = 8;

/**
 * One request served, HTTP/1.1 or HTTP/2 alike: the body read (within its size and time limits
 * and its connection's allowance of buffered bytes), the transport-neutral request handed to the
 * handler, and its answer written whole or streamed. The handler's signal aborts when the client
 * leaves before the answer has ended, or, with a `ServerStopping` reason, when the server tells
 * the request to stop; the answer still goes out then (an error the handler gives at once).
 */
export class Exchange implements RunningRequest {
  public readonly done: Promise<void>;
  private readonly controller = new AbortController();
  /** Set just before this side ends the exchange: a close before that means the client left. */
  private finished = false;
  private clientLeft = false;
  /** Set while the body is being read: stopping then drops the request, there is nothing to answer yet. */
  private reading = true;
  private readonly isHttp2: boolean;

  constructor(
    private readonly req: AnyRequest,
    private readonly res: AnyResponse,
    private readonly options: ExchangeOptions,
    private readonly connection: ConnectionState,
    handler: HttpHandler,
  ) {
    res.on('close', () => {
      if (this.finished) return;
      this.clientLeft = true;
      this.controller.abort();
    });
    this.isHttp2 = req instanceof http2.Http2ServerRequest;
    this.done = this.serve(handler);
  }

  public stop(): void {
    if (this.finished || this.clientLeft) return;
    // Still reading the body: nothing to answer yet, so the request just goes.
    if (this.reading) this.cut();
    this.controller.abort(new ServerStopping());
  }

  private async serve(handler: HttpHandler): Promise<void> {
    const request = await this.readRequest();
    if (!request) return;
    try {
      const response = await handler(request);
      const headers: Record<string, string> = { ...response.headers };
      if (this.connection.closing && !this.isHttp2) headers.connection = 'close';
      if (response.body instanceof Uint8Array) await this.answerWhole(response.status, headers, response.body);
      else await this.answerStreamed(response.status, headers, response.body);
    } catch (error) {
      if (this.clientLeft) return; // the client left; the handler gave up on its behalf
      console.error('request handler failed:', error);
      if (!this.res.headersSent) {
        this.res.writeHead(500, { 'content-type': 'application/json' });
        this.res.end(JSON.stringify({ message: 'internal error' }));
      } else this.cut();
    }
  }

  /** The request as the handler gets it; undefined when its body did not arrive (the exchange has already ended). */
  private async readRequest(): Promise<GatewayRequest | undefined> {
    const { req, connection } = this;
    const maxBodyBytes = this.options.maxBodyBytes;
    let reserved = 0;
    let outcome: 'read' | 'timed out' | 'over allowance' | 'failed' = 'read';
    const timer = setTimeout(() => {
      outcome = 'timed out';
      this.refuse(408, `The request body did not arrive within ${this.options.bodyTimeoutMs} ms.`);
    }, this.options.bodyTimeoutMs);
    let body: Buffer;
    try {
      body = await readBytes(req as Readable, {
        keep: maxBodyBytes,
        readAtMost: maxBodyBytes * DRAIN_FACTOR,
        onTooLong: () => this.cut(),
        // Refused (408, 429), the body is no longer awaited: an HTTP/1.1 request answered before its
        // end may never close.
        signal: this.controller.signal,
        admit: (bytes) => {
          if (!connection.reserveBodyBytes(bytes)) return false;
          reserved += bytes;
          return true;
        },
      });
    } catch (error) {
      if (error instanceof ReadRefused) {
        outcome = 'over allowance';
        this.refuse(429, 'This connection has too many request-body bytes in flight; retry once earlier requests have been sent.');
      } else if (outcome === 'read') outcome = 'failed'; // the peer reset the stream or left
      return undefined;
    } finally {
      clearTimeout(timer);
      connection.releaseBodyBytes(reserved);
      this.reading = false;
    }
    if (outcome !== 'read') return undefined;
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
    return {
      method: req.method ?? 'GET',
      path: query < 0 ? url : url.slice(0, query),
      headers,
      body,
      signal: this.controller.signal,
    };
  }

  /**
   * Answers a request whose body the server will not read to its end, then closes what the body
   * was still arriving on: the HTTP/2 stream (RST_STREAM NO_ERROR once the answer is out: RFC 9113
   * 8.1 allows a complete response before the request's end) or the HTTP/1.1 connection.
   */
  private refuse(status: number, message: string): void {
    if (this.finished || this.clientLeft) return;
    this.finished = true;
    this.controller.abort();
    const { req, res } = this;
    const body = JSON.stringify({ message });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...(this.isHttp2 ? {} : { connection: 'close' }) });
    res.end(body);
    // Both wait for what was written to go out first.
    if (this.isHttp2) (req as http2.Http2ServerRequest).stream.close(http2.constants.NGHTTP2_NO_ERROR);
    else req.socket.destroySoon();
  }

  private async answerWhole(status: number, headers: Record<string, string>, body: Uint8Array): Promise<void> {
    // The client left while the handler ran: nobody to answer, and a response ended after its
    // 'close' never emits 'finish' or 'close' again, so waiting for one would never end.
    // (A streamed body is still iterated: starting it is what runs its clean-up.)
    if (this.clientLeft) return;
    headers['content-length'] = String(body.length);
    const res = this.res;
    res.writeHead(status, headers);
    this.finished = true;
    await new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
      (res as http.ServerResponse).end(body);
    });
  }

  private async answerStreamed(status: number, headers: Record<string, string>, body: AsyncIterable<Uint8Array>): Promise<void> {
    const iterator = body[Symbol.asyncIterator]();
    let writer: CoalescingWriter | undefined;
    try {
      // Headers wait for the first chunk: a stream that breaks before it looks like a dead server.
      let next = await iterator.next();
      this.res.writeHead(status, headers);
      writer = new CoalescingWriter(this.res as http.ServerResponse, this.options.stallMs);
      // Told to stop, the handler's stream still runs to its end: its last chunk is the error the client raises.
      while (!next.done && !this.clientLeft) {
        await writer.add(next.value);
        if (writer.stalled) break;
        next = await iterator.next();
      }
      if (writer.stalled) {
        // The client stopped reading: its buffers are full, so only dropping the exchange frees it.
        if (this.isHttp2) (this.req as http2.Http2ServerRequest).stream.close(http2.constants.NGHTTP2_CANCEL);
        else this.req.socket.destroy();
      }
      if (this.clientLeft || writer.stalled) {
        await iterator.return?.();
        return;
      }
      this.finished = true;
      writer.end();
    } catch {
      // The stream broke: send what it produced, then drop the connection so the peer sees a
      // broken stream, not a clean end.
      this.finished = true;
      writer?.flush();
      this.cut();
    }
  }

  /**
   * Drops the exchange without a clean end. HTTP/1.1 flushes what was written first (a peer that
   * already had headers sees a truncated body); before any headers the socket just goes.
   */
  private cut(): void {
    const { req, res } = this;
    if (this.isHttp2) (req as http2.Http2ServerRequest).stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    else if (res.headersSent) req.socket.end(() => req.socket.destroy());
    else req.socket.destroy();
  }
}
