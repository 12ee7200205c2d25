import * as http from 'node:http';
import * as https from 'node:https';
import { readBytes } from '../http/read-bytes';
import type { FetchFunction, WorkerRequestInit, WorkerResponse } from './fetch-function';

/** Parsed worker URLs: the router calls a handful of them over and over. Bounded in case a caller does not. */
const MAX_CACHED_URLS = 256;

/**
 * The router's worker client, on node:http with keep-alive connections. It does what the router
 * needs (POST or GET with a byte or string body, an AbortSignal; the status, the JSON answer or
 * the streamed body) and no more: no WHATWG Response, Headers or ReadableStream per call, whose
 * construction costs more CPU than the HTTP exchange itself on a zero-latency worker. The body
 * is the node stream itself, read as an async iterable. Any real `fetch` can replace it (the
 * router's `fetch` option), e.g. one that signs requests.
 */
export function createNodeFetch(options: http.AgentOptions = {}): FetchFunction {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, ...options }),
    'https:': new https.Agent({ keepAlive: true, ...options }),
  };
  const targets = new Map<string, { transport: typeof http | typeof https; agent: http.Agent; target: http.RequestOptions }>();
  const resolve = (input: string) => {
    let found = targets.get(input);
    if (!found) {
      const url = new URL(input);
      const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
      if (!transport) throw new TypeError(`unsupported protocol ${url.protocol}`);
      found = { transport, agent: agents[url.protocol as 'http:' | 'https:'], target: { hostname: url.hostname, port: url.port, path: url.pathname + url.search } };
      if (targets.size >= MAX_CACHED_URLS) targets.clear();
      targets.set(input, found);
    }
    return found;
  };

  return (input: string, init: WorkerRequestInit = {}): Promise<WorkerResponse> => {
    let target: ReturnType<typeof resolve>;
    try {
      target = resolve(input);
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = init.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const body = init.body;
    const headers: http.OutgoingHttpHeaders = { ...init.headers };
    if (body != null) headers['content-length'] = Buffer.byteLength(body);
    return new Promise<WorkerResponse>((resolvePromise, reject) => {
      const request = target.transport.request({
        ...target.target,
        method: init.method ?? 'GET',
        headers,
        agent: target.agent,
      });
      const onAbort = () => request.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const detach = () => signal?.removeEventListener('abort', onAbort);
      request.on('error', (error) => {
        detach();
        reject(new TypeError('fetch failed', { cause: error }));
      });
      request.on('response', (response) => {
        response.on('close', detach);
        const status = response.statusCode ?? 502;
        const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
        if (nullBody) response.resume();
        resolvePromise(new NodeWorkerResponse(status, nullBody ? null : response));
      });
      request.end(body ?? undefined);
    });
  };
}

/** A worker's answer over node:http: the body is the response stream, readable once. */
class NodeWorkerResponse implements WorkerResponse {
  public readonly body: (AsyncIterable<Uint8Array> & { cancel(): Promise<void> }) | null;

  constructor(
    public readonly status: number,
    private readonly message: http.IncomingMessage | null,
  ) {
    // A wrapper rather than a property added to node's own IncomingMessage objects (which would
    // give them a second shape in node's hot paths).
    this.body = message && {
      [Symbol.asyncIterator]: () => message[Symbol.asyncIterator](),
      cancel: async () => void message.destroy(),
    };
  }

  public get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  public async json(): Promise<unknown> {
    if (!this.message) throw new SyntaxError('Unexpected end of JSON input');
    return JSON.parse((await readBytes(this.message)).toString('utf8'));
  }
}

/** The router's default worker client. */
export const nodeFetch: FetchFunction = createNodeFetch();
