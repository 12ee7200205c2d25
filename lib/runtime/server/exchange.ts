import type * as http from 'node:http';
import * as http2 from 'node:http2';
import type { Readable } from 'node:stream';
import type { GatewayRequest, HttpHandler } from '../http/http-types';
import { readBytes } from '../http/read-bytes';
import { CoalescingWriter } from './stream-writer';

export type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface ExchangeOptions {
  /** Bodies longer than this reach the handler cut to `maxBodyBytes + 1` bytes. */
  readonly maxBodyBytes: number;
  /** How long a streamed answer waits for a client that stopped reading before it is cut off. */
  readonly stallMs: number;
}

/** Bytes discarded past the limit before the connection is cut instead: stops a client streaming forever. */
const DRAIN_FACTOR = 8;

/**
 * One request served, HTTP/1.1 or HTTP/2 alike: the body read (within its limit), the
 * transport-neutral request handed to the handler, and its answer written whole or streamed.
 * The handler's signal aborts when the client leaves before the answer has ended.
 */
export class Exchange {
  private readonly controller = new AbortController();
  /** Set just before this side ends the exchange: a close before that means the client left. */
  private finished = false;
  private readonly isHttp2: boolean;

  constructor(
    private readonly req: AnyRequest,
    private readonly res: AnyResponse,
    private readonly options: ExchangeOptions,
    /** Whether the server is shutting down: HTTP/1.1 answers then say `connection: close`. */
    private readonly closing: () => boolean,
  ) {
    res.on('close', () => {
      if (!this.finished) this.controller.abort();
    });
    this.isHttp2 = req instanceof http2.Http2ServerRequest;
  }

  public async serve(handler: HttpHandler): Promise<void> {
    try {
      const response = await handler(await this.readRequest());
      const headers: Record<string, string> = { ...response.headers };
      if (this.closing() && !this.isHttp2) headers.connection = 'close';
      if (response.body instanceof Uint8Array) await this.answerWhole(response.status, headers, response.body);
      else await this.answerStreamed(response.status, headers, response.body);
    } catch (error) {
      if (this.controller.signal.aborted) return; // the client left; the handler gave up on its behalf
      console.error('request handler failed:', error);
      if (!this.res.headersSent) {
        this.res.writeHead(500, { 'content-type': 'application/json' });
        this.res.end(JSON.stringify({ message: 'internal error' }));
      } else this.cut();
    }
  }

  private async readRequest(): Promise<GatewayRequest> {
    const { req } = this;
    const maxBodyBytes = this.options.maxBodyBytes;
    const body = await readBytes(req as Readable, { keep: maxBodyBytes, readAtMost: maxBodyBytes * DRAIN_FACTOR, onTooLong: () => this.cut() });
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

  private async answerWhole(status: number, headers: Record<string, string>, body: Uint8Array): Promise<void> {
    // The client left while the handler ran: nobody to answer, and a response ended after its
    // 'close' never emits 'finish' or 'close' again, so waiting for one would never end.
    // (A streamed body is still iterated: starting it is what runs its clean-up.)
    if (this.controller.signal.aborted) return;
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
    const signal = this.controller.signal;
    const iterator = body[Symbol.asyncIterator]();
    let writer: CoalescingWriter | undefined;
    try {
      // Headers wait for the first chunk: a stream that breaks before it looks like a dead server.
      let next = await iterator.next();
      this.res.writeHead(status, headers);
      writer = new CoalescingWriter(this.res as http.ServerResponse, this.options.stallMs);
      while (!next.done && !signal.aborted) {
        await writer.add(next.value);
        if (writer.stalled) break;
        next = await iterator.next();
      }
      if (writer.stalled) {
        // The client stopped reading: its buffers are full, so only dropping the exchange frees it.
        if (this.isHttp2) (this.req as http2.Http2ServerRequest).stream.close(http2.constants.NGHTTP2_CANCEL);
        else this.req.socket.destroy();
      }
      if (signal.aborted || writer.stalled) {
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
