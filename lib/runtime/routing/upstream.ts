import { CompletionChunk, WorkerErrorBody } from '../openai/worker-protocol';
import { readSseBatches, SSE_DONE } from '../openai/sse';
import type { FetchFunction, WorkerResponse } from './fetch-function';
import { clientSafe, UpstreamFailure, upstreamFailure } from './upstream-failure';

/** The router's calls to workers: a JSON POST answered with JSON, or with a server-sent event stream. */

async function failureFromResponse(response: WorkerResponse, workerUrl: string, what: string): Promise<UpstreamFailure> {
  let message = `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as Partial<WorkerErrorBody>;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // A body that is not the OpenAI error shape: the status says enough.
  }
  const status = response.status;
  const kind = status === 429 ? 'throttled' : status >= 400 && status < 500 ? 'rejected' : 'unavailable';
  // The worker's own words reach the client (a refused prompt says why), without any address in them.
  return new UpstreamFailure(kind, `${what}: ${clientSafe(message)}`, workerUrl, `${workerUrl} answered ${status}: ${message}`, status);
}

export interface PostOptions {
  readonly fetch: FetchFunction;
  readonly signal: AbortSignal;
  readonly apiKey?: string;
}

async function post(url: string, workerUrl: string, body: unknown, options: PostOptions, what: string): Promise<WorkerResponse> {
  let response: WorkerResponse;
  try {
    response = await options.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      // A buffer with a known length goes out in one write; a string body is streamed chunk by chunk.
      body: Buffer.from(JSON.stringify(body)),
      signal: options.signal,
    });
  } catch (error) {
    throw upstreamFailure(error, options.signal, workerUrl, what);
  }
  if (!response.ok) throw await failureFromResponse(response, workerUrl, what);
  return response;
}

/** POSTs JSON to `workerUrl + path` and parses the JSON answer. */
export async function postJson<T>(workerUrl: string, path: string, body: unknown, options: PostOptions, what: string): Promise<T> {
  const response = await post(workerUrl + path, workerUrl, body, options, what);
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw upstreamFailure(error, options.signal, workerUrl, what);
  }
}

/**
 * One event of a stream: a chunk, or the error vLLM streams when a request fails after its answer
 * began (`data: {"error": {...}}` then `[DONE]`; a KV load failure under `kv_load_failure_policy:
 * fail` comes so, "Internal server error" with code 500: serving_chat.py's GenerationError path).
 */
function streamedChunk(data: string, workerUrl: string, what: string): CompletionChunk {
  const parsed = JSON.parse(data) as CompletionChunk & Partial<WorkerErrorBody>;
  const error = parsed.error;
  if (error === undefined) return parsed;
  const message = typeof error?.message === 'string' ? error.message : 'an error';
  const status = typeof error?.code === 'number' ? error.code : undefined;
  throw new UpstreamFailure('unavailable', `${what}: ${clientSafe(message)}`, workerUrl, `${workerUrl} streamed ${status ?? 'an error'}: ${message}`, status);
}

/**
 * POSTs a streamed completion request and yields its chunks, in batches of those that arrived
 * together. Response headers arrive before this resolves, so a refused request fails here
 * rather than mid-iteration.
 */
export async function postStream(
  workerUrl: string,
  path: string,
  body: unknown,
  options: PostOptions,
  what: string,
): Promise<AsyncGenerator<CompletionChunk[]>> {
  const response = await post(workerUrl + path, workerUrl, body, options, what);
  if (!response.body) throw new UpstreamFailure('unavailable', `${what}: empty stream`, workerUrl);
  const stream = response.body;
  return (async function* chunks() {
    let done = false;
    try {
      for await (const batch of readSseBatches(stream)) {
        // Read on to the end of the body after [DONE]: leaving a body unread makes the HTTP
        // client drop the connection instead of reusing it.
        if (done) continue;
        const chunks: CompletionChunk[] = [];
        for (const data of batch) {
          if (data === SSE_DONE) done = true;
          else if (!done) chunks.push(streamedChunk(data, workerUrl, what));
        }
        if (chunks.length > 0) yield chunks;
      }
      if (done) return;
    } catch (error) {
      throw upstreamFailure(error, options.signal, workerUrl, what);
    } finally {
      // Leaving early (client gone, stop reached) must close the upstream connection too.
      if (!done) await stream.cancel().catch(() => undefined);
    }
    throw new UpstreamFailure('unavailable', `${what}: the stream ended without [DONE]`, workerUrl);
  })();
}
