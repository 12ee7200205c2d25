import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { FetchFunction } from './upstream';

/**
 * A `fetch` for calling workers, built on node:http with keep-alive connections. It covers what
 * the router uses (method, headers, a string or byte body, an AbortSignal; status, headers and
 * a streamed body back) at a fraction of the CPU undici's full fetch algorithm costs per call,
 * which matters when one gateway request makes two worker calls. Any real `fetch` can replace it
 * (the router's `fetch` option), e.g. one that signs requests.
 */
export function createNodeFetch(options: http.AgentOptions = {}): FetchFunction {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, ...options }),
    'https:': new https.Agent({ keepAlive: true, ...options }),
  };
  const nodeFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) throw new TypeError('nodeFetch takes a URL and init, not a Request');
    const url = typeof input === 'string' ? new URL(input) : input;
    const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!transport) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const body = init.body as string | Uint8Array | null | undefined;
    if (body != null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(new TypeError('nodeFetch sends string or byte bodies only'));
    }
    const headers = new Headers(init.headers);
    if (body != null) headers.set('content-length', String(Buffer.byteLength(body)));
    return new Promise<Response>((resolve, reject) => {
      const request = transport.request(url, {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headers),
        agent: agents[url.protocol as 'http:' | 'https:'],
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
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const status = response.statusCode ?? 502;
        const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
        if (nullBody) response.resume();
        resolve(
          new Response(nullBody ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>), {
            status,
            statusText: response.statusMessage,
            headers: responseHeaders,
          }),
        );
      });
      request.end(body ?? undefined);
    });
  };
  return nodeFetch as FetchFunction;
}

/** The router's default worker client. */
export const nodeFetch: FetchFunction = createNodeFetch();
