import { jsonResponse, GatewayResponse } from '../http/http-types';

/**
 * The Bedrock Runtime error names this gateway raises and the HTTP status each one carries
 * (the status codes the official client maps back to its typed exceptions).
 */
export class BedrockErrorType {
  public static readonly VALIDATION = new BedrockErrorType('ValidationException', 400);
  public static readonly ACCESS_DENIED = new BedrockErrorType('AccessDeniedException', 403);
  public static readonly RESOURCE_NOT_FOUND = new BedrockErrorType('ResourceNotFoundException', 404);
  public static readonly UNKNOWN_OPERATION = new BedrockErrorType('UnknownOperationException', 404);
  public static readonly MODEL_TIMEOUT = new BedrockErrorType('ModelTimeoutException', 408);
  public static readonly MODEL_ERROR = new BedrockErrorType('ModelErrorException', 424);
  public static readonly THROTTLING = new BedrockErrorType('ThrottlingException', 429);
  public static readonly INTERNAL_SERVER = new BedrockErrorType('InternalServerException', 500);
  public static readonly SERVICE_UNAVAILABLE = new BedrockErrorType('ServiceUnavailableException', 503);
  /** Only ever sent inside an event stream, after output has begun. */
  public static readonly MODEL_STREAM_ERROR = new BedrockErrorType('ModelStreamErrorException', 424);

  private constructor(
    /** The name the client raises, e.g. `ThrottlingException`. */
    public readonly name: string,
    public readonly httpStatus: number,
  ) {}

  /** The `:exception-type` header of an in-stream exception frame: the name in lower camel case. */
  public get streamExceptionType(): string {
    return this.name.charAt(0).toLowerCase() + this.name.slice(1);
  }
}

/** An error that ends a request with a defined Bedrock error; anything else is an InternalServerException. */
export class BedrockError extends Error {
  constructor(
    public readonly type: BedrockErrorType,
    message: string,
    /**
     * What the client is not told but the request's log line records: the worker that failed, the
     * network error (addresses and host names stay out of client-visible messages).
     */
    public readonly detail?: string,
  ) {
    super(message);
    this.name = type.name;
  }
}

export function validationError(message: string): BedrockError {
  return new BedrockError(BedrockErrorType.VALIDATION, message);
}

/**
 * What a request ends in when the server stops it before it has ended (the grace period is over):
 * ServiceUnavailableException, as a whole answer (503) or, in a stream already started, as its
 * last event (`serviceUnavailableException`, a member of both streaming operations' event unions,
 * which the client raises). The service went away, not the model: a retry elsewhere is the remedy.
 */
export function serverStoppingError(): BedrockError {
  return new BedrockError(
    BedrockErrorType.SERVICE_UNAVAILABLE,
    'The endpoint is shutting down and could not finish this request within its grace period; retry it.',
  );
}

/** Normalises any thrown value to a BedrockError without leaking internals to the client. */
export function toBedrockError(error: unknown): BedrockError {
  if (error instanceof BedrockError) return error;
  return new BedrockError(BedrockErrorType.INTERNAL_SERVER, 'The gateway hit an internal error; see its log.');
}

/** The non-streamed error answer: status, `x-amzn-errortype` and a JSON `message`. */
export function errorResponse(error: BedrockError, headers: Record<string, string> = {}): GatewayResponse {
  return jsonResponse(error.type.httpStatus, { message: error.message }, { ...headers, 'x-amzn-errortype': error.type.name });
}
