/**
 * Transport-neutral HTTP request and response. Every HTTP core in this package (the Bedrock
 * gateway and the mock workers) is a function from one to the other, so the same core runs
 * behind the local Node server and behind a Lambda handler.
 */
export interface GatewayRequest {
  readonly method: string;
  /** Raw path as received: the model id is still URL-encoded; no query string. */
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Record<string, string | undefined>;
  readonly body: Uint8Array;
  /**
   * Aborted when the client goes away, or, with a `ServerStopping` reason, when the server ends
   * the request itself (it is stopping and its grace period is over): see `stoppedByServer`.
   */
  readonly signal: AbortSignal;
}

/**
 * The reason a request's signal carries when the server ends the request while its client is
 * still there: the server is stopping and the grace period is over. The handler should still
 * answer, at once: an error answer, or, in a stream already started, an error the client raises
 * (never an end that looks complete). The adapter cuts whatever has not ended shortly after.
 */
export class ServerStopping extends Error {
  constructor() {
    super('the server is stopping and its grace period is over');
    this.name = 'ServerStopping';
  }
}

/** Whether the request's signal was aborted by the server stopping, not by the client leaving. */
export function stoppedByServer(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof ServerStopping;
}

export interface GatewayResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /**
   * A whole body, or an iterable for streamed bodies (event streams, server-sent events).
   * An iterable that throws means the stream broke: adapters drop the connection rather
   * than pretend the body ended cleanly.
   */
  readonly body: Uint8Array | AsyncIterable<Uint8Array>;
}

/** Anything that answers transport-neutral HTTP requests. */
export type HttpHandler = (request: GatewayRequest) => Promise<GatewayResponse>;

const encoder = new TextEncoder();

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: encoder.encode(JSON.stringify(value)),
  };
}

/** Concatenates a response body, whole or streamed, into one buffer. */
export async function readBody(body: GatewayResponse['body']): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
