import { BedrockError, BedrockErrorType, validationError } from '../bedrock/errors';

/** Why a call to a worker failed; the router turns each kind into a retry or a Bedrock error. */
export type UpstreamFailureKind =
  /** The worker refused the request (4xx): the client's fault, never retried. */
  | 'rejected'
  /** Connection refused or reset, 5xx, or a broken stream: another worker may do better. */
  | 'unavailable'
  /** A stage ran out of time. */
  | 'timeout'
  /** The client went away; nobody is waiting for an answer. */
  | 'aborted';

export class UpstreamFailure extends Error {
  constructor(
    public readonly kind: UpstreamFailureKind,
    message: string,
    /** The worker URL that failed, so the router can mark it and pick another. */
    public readonly workerUrl: string,
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

/** Classifies whatever a fetch or a body read threw, given the signal that was in force. */
export function upstreamFailure(error: unknown, signal: AbortSignal, workerUrl: string, what: string): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  if (signal.aborted) {
    const reason = signal.reason;
    if (reason instanceof StageTimeout) return new UpstreamFailure('timeout', `${what}: ${reason.message}`, workerUrl);
    return new UpstreamFailure('aborted', `${what}: the client went away`, workerUrl);
  }
  const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new UpstreamFailure('unavailable', `${what} failed: ${cause}`, workerUrl);
}

/** The Bedrock error a request ends in when its worker calls failed this way. */
export function failureToBedrock(failure: UpstreamFailure): BedrockError {
  switch (failure.kind) {
    case 'rejected':
      return validationError(failure.message);
    case 'timeout':
      return new BedrockError(BedrockErrorType.MODEL_TIMEOUT, `The model did not answer in time (${failure.message}).`);
    default:
      return new BedrockError(BedrockErrorType.SERVICE_UNAVAILABLE, `The model is unavailable (${failure.message}).`);
  }
}
