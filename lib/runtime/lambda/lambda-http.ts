import { isUtf8 } from 'buffer';
import type { Writable } from 'stream';
import { finished as streamFinished } from 'stream/promises';
import { readBody, type GatewayResponse, type HttpHandler } from '../http/http-types';
import { drainOrClose } from '../http/drain';
import type { HttpRequestParts } from './events';

/** The proxy result of a buffered Lambda proxy integration (API Gateway REST or function URL). */
export interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** What the Lambda Node.js runtime offers response-streaming functions, as the global `awslambda`. */
export interface AwsLambdaStreaming {
  streamifyResponse<E>(
    handler: (event: E, responseStream: Writable, context: unknown) => Promise<void>,
  ): (event: E, responseStream: Writable, context: unknown) => Promise<void>;
  readonly HttpResponseStream: {
    /** Writes the HTTP prelude (status and headers as JSON, then 8 NUL bytes) and returns the stream. */
    from(responseStream: Writable, prelude: { statusCode: number; headers: Record<string, string> }): Writable;
  };
}

/** The `awslambda` global of the Lambda runtime; tests install a stand-in before loading an entry. */
export function lambdaRuntime(): AwsLambdaStreaming {
  const runtime = (globalThis as { awslambda?: AwsLambdaStreaming }).awslambda;
  if (!runtime) {
    throw new Error('The global `awslambda` is missing: response streaming runs only in the Lambda Node.js runtime.');
  }
  return runtime;
}

/** Content types API Gateway may pass as text; anything else is binary. */
const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|xml|x-amz-json)|[^;]*\+json)/i;

/**
 * Collects a response into a proxy result. JSON and text go as text; everything else in base64
 * (the API's binary media type `*\/*` lets API Gateway turn it back into bytes). Text is never
 * base64: API Gateway decodes a base64 body only when the caller's Accept header matches a binary
 * media type, and Bedrock clients often send no Accept header.
 */
export async function toProxyResult(response: GatewayResponse): Promise<ProxyResult> {
  const bytes = Buffer.from(await readBody(response.body));
  const contentType = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  const text = TEXT_CONTENT_TYPE.test(contentType) && isUtf8(bytes);
  return {
    statusCode: response.status,
    headers: response.headers,
    body: text ? bytes.toString('utf8') : bytes.toString('base64'),
    isBase64Encoded: !text,
  };
}

/** A buffered handler: event in, proxy result out. */
export function bufferedHandler<E>(
  read: (event: E) => HttpRequestParts,
  core: () => Promise<HttpHandler>,
): (event: E) => Promise<ProxyResult> {
  return async (event) => {
    const handle = await core();
    // Lambda stops the invocation on its own timeout; the router's own deadline comes first.
    const response = await handle({ ...read(event), signal: new AbortController().signal });
    return toProxyResult(response);
  };
}

/**
 * A streaming handler body: runs the core and writes its answer through the runtime's HTTP
 * response stream as chunks arrive. If the stream closes before the answer ends (the client went
 * away), the core's signal is aborted so upstream calls stop and KV leases are released.
 */
export function streamingHandler<E>(
  read: (event: E) => HttpRequestParts,
  core: () => Promise<HttpHandler>,
  runtime: () => AwsLambdaStreaming = lambdaRuntime,
): (event: E, responseStream: Writable, context: unknown) => Promise<void> {
  return async (event, responseStream) => {
    const abort = new AbortController();
    let finished = false;
    const onGone = () => {
      if (!finished) abort.abort(new Error('client went away'));
    };
    responseStream.once('close', onGone);
    responseStream.once('error', onGone);
    try {
      const handle = await core();
      const response = await handle({ ...read(event), signal: abort.signal });
      const out = runtime().HttpResponseStream.from(responseStream, {
        statusCode: response.status,
        headers: response.headers,
      });
      for await (const chunk of chunks(response.body)) {
        if (abort.signal.aborted) break;
        if (!out.write(chunk)) await drainOrClose(out);
      }
      finished = true;
      out.end();
      // Resolve only once the bytes are handed over, so the runtime does not freeze mid-flush.
      await streamFinished(out);
    } finally {
      finished = true;
      responseStream.off('close', onGone);
      responseStream.off('error', onGone);
    }
  };
}

async function* chunks(body: Uint8Array | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    if (body.length > 0) yield body;
    return;
  }
  yield* body;
}
