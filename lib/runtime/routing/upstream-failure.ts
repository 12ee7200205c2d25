import { BedrockError, BedrockErrorType } from '../bedrock/errors';

/** Why a call to a worker failed; the router turns each kind into a retry or a Bedrock error. */
export type UpstreamFailureKind =
  /** The worker refused the request (4xx but 429): the client's fault, never retried. */
  | 'rejected'
  /** The worker is at capacity (429): another worker, or the standard tier, may take it. */
  | 'throttled'
  /** Connection refused or reset, 5xx, or a broken stream: another worker may do better. */
  | 'unavailable'
  /** A stage ran out of time. */
  | 'timeout'
  /** The client went away; nobody is waiting for an answer. */
  | 'aborted';

/**
 * A failed worker call. `message` is what the client may read: it names the stage, never a worker
 * address; `detail` (the worker URL, the network error) goes to the request's log line only.
 */
export class UpstreamFailure extends Error {
  constructor(
    public readonly kind: UpstreamFailureKind,
    message: string,
    /** The worker URL that failed, so the router can mark it and pick another. */
    public readonly workerUrl: string,
    public readonly detail?: string,
    /** The HTTP status the worker answered with (or put in a streamed error), when it answered at all. */
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamFailure';
  }
}

/** The reason a stage deadline gives when it aborts its signal. */
export class StageTimeout extends Error {
  constructor(public readonly stage: string, public readonly ms: number) {
    super(`${stage} took longer than ${ms} ms`);
    this.name = 'StageTimeout';
  }
}

/** URLs, IPv4 and bracketed IPv6 addresses (with ports): what a worker's own message may leak of the network. */
const ADDRESS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-f:.]+\](?::\d+)?/gi;
/** A worker's message quoted to a client is cut here. */
const MAX_QUOTED_CHARS = 500;

/** A worker's own message as a client may read it: addresses replaced, length bounded. */
export function clientSafe(message: string): string {
  const cut = message.length > MAX_QUOTED_CHARS ? `${message.slice(0, MAX_QUOTED_CHARS)}…` : message;
  return cut.replace(ADDRESS, '<address>');
}

/** Classifies whatever a fetch or a body read threw, given the signal that was in force. */
export function upstreamFailure(error: unknown, signal: AbortSignal, workerUrl: string, what: string): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  if (signal.aborted) {
    const reason = signal.reason;
    if (reason instanceof StageTimeout) return new UpstreamFailure('timeout', `${what}: ${reason.message}`, workerUrl);
    return new UpstreamFailure('aborted', `${what}: the client went away`, workerUrl);
  }
  const cause = error instanceof Error ? ((error.cause as Error | undefined) ?? error) : undefined;
  // A network error's code (ECONNREFUSED, ECONNRESET) says what happened without saying where.
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const said = cause?.message ?? String(error);
  return new UpstreamFailure('unavailable', `${what} failed${code ? ` (${code})` : ''}`, workerUrl, `${workerUrl}: ${said}`);
}

/** The Bedrock error a request ends in when its worker calls failed this way; the worker's address goes to the detail. */
export function failureToBedrock(failure: UpstreamFailure): BedrockError {
  const detail = failure.detail ?? (failure.workerUrl ? `worker ${failure.workerUrl}` : undefined);
  switch (failure.kind) {
    case 'rejected':
      return new BedrockError(BedrockErrorType.VALIDATION, failure.message, detail);
    case 'throttled':
      return new BedrockError(BedrockErrorType.THROTTLING, `The model is at capacity (${failure.message}); retry with backoff.`, detail);
    case 'timeout':
      return new BedrockError(BedrockErrorType.MODEL_TIMEOUT, `The model did not answer in time (${failure.message}).`, detail);
    default:
      return new BedrockError(BedrockErrorType.SERVICE_UNAVAILABLE, `The model is unavailable (${failure.message}).`, detail);
  }
}
