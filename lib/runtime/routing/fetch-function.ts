/**
 * The HTTP client the router calls workers with: the part of `fetch` it uses, so the global
 * `fetch` (or a signing wrapper of it) fits, and so does the lighter `nodeFetch`.
 */
export type FetchFunction = (url: string, init: WorkerRequestInit) => Promise<WorkerResponse>;

/** What the router sends a worker: always a POST of JSON bytes in practice. */
export interface WorkerRequestInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array | null;
  readonly signal?: AbortSignal;
}

/** What the router reads of a worker's answer; the WHATWG `Response` has all of it. */
export interface WorkerResponse {
  readonly status: number;
  readonly ok: boolean;
  json(): Promise<unknown>;
  /** The body, readable once; `cancel()` drops it (and the connection) when left unread. */
  readonly body: (AsyncIterable<Uint8Array> & { cancel(): Promise<void> }) | null;
}
