import { type GatewayRequest, type GatewayResponse, stoppedByServer } from '../http/http-types';
import { openAiErrorResponse } from '../openai/openai-errors';
import { OPENAI_PREFIX, parseOpenAiPath } from '../openai/openai-operations';
import type { FetchFunction } from '../routing/fetch-function';
import type { RouterOptions } from '../routing/generation';
import { ModelRegistry } from '../routing/registry';
import type { RegistryConfig } from '../routing/registry-config';
import { Router } from '../routing/router';
import { requestLogLine } from '../telemetry/request-line';
import { stdoutTelemetry, TelemetrySink } from '../telemetry/stdout-sink';
import { converse, converseStream } from './converse-operation';
import { countTokens } from './count-tokens-operation';
import { BedrockError, BedrockErrorType, errorResponse, serverStoppingError, toBedrockError, validationError } from './errors';
import { invokeModel, invokeModelWithResponseStream } from './invoke-operation';
import type { ModelOperationContext, OperationContext, OperationHandler } from './operation-context';
import { BedrockOperation, parsePath } from './operations';
import { RequestTrace } from './request-trace';

export interface BedrockGatewayOptions {
  /** The models served and where their stages run. */
  readonly registry: RegistryConfig;
  /** Largest request body accepted; larger ones get a ValidationException. @default 4 MiB */
  readonly maxBodyBytes?: number;
  /** Requests handled at once (streams count until they end); more get a ThrottlingException. @default 128 */
  readonly maxConcurrentRequests?: number;
  /** Receives one embedded-metric-format JSON line per request. @default stdoutTelemetry (stdout, one write per event-loop turn) */
  readonly telemetry?: TelemetrySink;
  /** The HTTP client used to call the workers. @default nodeFetch (node:http with keep-alive) */
  readonly fetch?: FetchFunction;
  /** Router tuning: worker cool-down, attempts, API-key resolution. @default the router's defaults */
  readonly router?: Omit<RouterOptions, 'fetch'>;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 128;

/** The operation that answers each Bedrock operation; each frames the router's generation its own way. */
function handlerOf(operation: BedrockOperation): OperationHandler {
  switch (operation) {
    case BedrockOperation.CONVERSE:
      return converse;
    case BedrockOperation.CONVERSE_STREAM:
      return converseStream;
    case BedrockOperation.INVOKE_MODEL:
      return invokeModel;
    case BedrockOperation.INVOKE_MODEL_WITH_RESPONSE_STREAM:
      return invokeModelWithResponseStream;
    default:
      return countTokens;
  }
}

/** Whether a path is on the OpenAI-compatible path, whose errors are in OpenAI's shape. */
function isOpenAiPath(path: string): boolean {
  return path === OPENAI_PREFIX || path.startsWith(`${OPENAI_PREFIX}/`);
}

/**
 * The Bedrock Runtime protocol in front of the router: Converse, ConverseStream, InvokeModel,
 * InvokeModelWithResponseStream and CountTokens, plus Bedrock's OpenAI-compatible path
 * (`/openai/v1`: chat completions and the models list), as transport-neutral request -> response.
 * The gateway admits a request (a concurrency slot, a trace), finds its operation (and, for the
 * Bedrock operations, its model), and hands it to the operation; failures become error answers
 * in the path's protocol, and every request ends in one telemetry line. The local server and the
 * Lambda handler are thin adapters around `handle`.
 */
export class BedrockGateway {
  public readonly maxBodyBytes: number;
  public readonly maxConcurrentRequests: number;
  private readonly registry: ModelRegistry;
  private readonly router: Router;
  private readonly telemetry: TelemetrySink;
  private active = 0;

  constructor(options: BedrockGatewayOptions) {
    this.registry = new ModelRegistry(options.registry);
    this.router = new Router({ ...options.router, fetch: options.fetch });
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxConcurrentRequests = options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS;
    this.telemetry = options.telemetry ?? stdoutTelemetry;
  }

  /** Requests in progress, streams included until they end. */
  public get inFlight(): number {
    return this.active;
  }

  /** Every model id this gateway answers to. */
  public get modelIds(): string[] {
    return this.registry.modelIds;
  }

  public async handle(request: GatewayRequest): Promise<GatewayResponse> {
    const trace = new RequestTrace(request.signal);
    const openAi = isOpenAiPath(request.path);
    const answerError = openAi ? openAiErrorResponse : errorResponse;
    if (this.active >= this.maxConcurrentRequests) {
      trace.error = new BedrockError(
        BedrockErrorType.THROTTLING,
        `Too many requests in progress (limit ${this.maxConcurrentRequests}); retry with backoff.`,
      );
      this.finish(trace);
      return answerError(trace.error, { 'x-amzn-requestid': trace.requestId });
    }
    this.active++;
    let streaming = false;
    try {
      const response = await this.dispatch(request, trace, openAi);
      streaming = !(response.body instanceof Uint8Array);
      return response;
    } catch (error) {
      // Stopped by the server (its grace period is over), the request still gets an answer.
      const stopped = stoppedByServer(request.signal);
      const failure = stopped ? serverStoppingError() : toBedrockError(error);
      // Once the client has left, upstream calls fail because they were aborted on its behalf:
      // logged as ClientAborted, not as a service error that would count against the alarms.
      if (!request.signal.aborted || stopped) trace.error = failure;
      if (!stopped && !(error instanceof BedrockError)) console.error(`request ${trace.requestId} failed:`, error);
      return answerError(failure, { 'x-amzn-requestid': trace.requestId });
    } finally {
      // Streams settle (release their slot and log) when they end; everything else ends here.
      if (!streaming) {
        this.active--;
        await trace.generation?.close();
        this.finish(trace);
      }
    }
  }

  /** Logs the request's line; a failing sink must not fail the request. */
  private finish(trace: RequestTrace): void {
    try {
      this.telemetry(requestLogLine(trace.record()));
    } catch (error) {
      console.error('telemetry sink failed:', error);
    }
  }

  private dispatch(request: GatewayRequest, trace: RequestTrace, openAi: boolean): Promise<GatewayResponse> {
    const context: OperationContext = {
      request,
      registry: this.registry,
      router: this.router,
      trace,
      headers: { 'x-amzn-requestid': trace.requestId },
      settle: () => {
        this.active--;
        this.finish(trace);
      },
    };
    if (openAi) {
      const operation = parseOpenAiPath(request.method, request.path);
      trace.operation = operation.name;
      this.checkBodySize(request);
      return operation.handler(context);
    }
    const { operation, modelId } = parsePath(request.method, request.path);
    trace.operation = operation.name;
    const route = this.registry.find(modelId);
    if (!route) {
      throw new BedrockError(
        BedrockErrorType.RESOURCE_NOT_FOUND,
        `Model ${modelId} is not served by this endpoint. Served model ids: ${this.registry.modelIds.join(', ')}.`,
      );
    }
    trace.modelId = modelId;
    this.checkBodySize(request);
    const modelContext: ModelOperationContext = { ...context, route };
    return handlerOf(operation)(modelContext);
  }

  /** Adapters that stop reading a long body pass maxBodyBytes + 1 bytes of it, which lands here too. */
  private checkBodySize(request: GatewayRequest): void {
    if (request.body.length > this.maxBodyBytes) {
      throw validationError(`The request body is larger than this endpoint's limit of ${this.maxBodyBytes} bytes; send a shorter prompt.`);
    }
  }
}
