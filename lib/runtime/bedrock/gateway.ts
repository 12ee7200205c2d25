import { randomUUID } from 'node:crypto';
import { RegistryConfig } from '../routing/registry-config';
import { converseResponse, converseStreamEvents, parseConverseMessages, parseConverseRequest } from './converse';
import { BedrockError, BedrockErrorType, errorResponse, toBedrockError, validationError } from './errors';
import { EVENT_STREAM_CONTENT_TYPE, eventFrame, exceptionFrame } from './event-stream';
import { GatewayRequest, GatewayResponse, jsonResponse } from '../http/http-types';
import { llamaDeltaChunk, llamaFinalChunk, llamaResponse, parseLlamaRequest } from './llama-native';
import { managedStream } from '../http/managed-stream';
import { BedrockOperation, parsePath } from './operations';
import { ModelRegistry, ModelRoute } from '../routing/registry';
import { Delta, Generation, GenerationEnd, PromptInput, Router, RouterOptions } from '../routing/router';
import { RequestRecord, requestLogLine } from '../telemetry/request-line';
import { stdoutTelemetry, TelemetrySink } from '../telemetry/stdout-sink';
import { FetchFunction } from '../routing/upstream';
import { isObject, parseJsonBody, requireObject } from './validation';

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

/** Mutable record of one request, written to the telemetry sink when it ends. */
class RequestTrace {
  public readonly requestId = randomUUID();
  public readonly startedAt = Date.now();
  public operation = 'Unknown';
  public modelId?: string;
  public generation?: Generation;
  public end?: GenerationEnd;
  public error?: BedrockError;

  constructor(private readonly signal: AbortSignal) {}

  public record(): RequestRecord {
    const timings = this.generation?.timings ?? {};
    const aborted = this.signal.aborted && !this.error && !this.end;
    return {
      requestId: this.requestId,
      operation: this.operation,
      modelId: this.modelId,
      outcome: this.error ? this.error.type.name : aborted ? 'ClientAborted' : 'success',
      errorType: this.error?.type.name,
      startedAt: this.startedAt,
      endedAt: Date.now(),
      inputTokens: this.end?.inputTokens,
      outputTokens: this.end?.outputTokens,
      prefillMs: timings.prefillMs,
      kvHandoffMs: timings.kvHandoffMs,
      firstTokenAt: timings.firstTokenAt,
      lastTokenAt: timings.lastTokenAt,
    };
  }
}

/**
 * The Bedrock Runtime protocol in front of the router: Converse, ConverseStream, InvokeModel,
 * InvokeModelWithResponseStream and CountTokens, as transport-neutral request -> response.
 * The local server and the Lambda handler are thin adapters around `handle`.
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
    if (this.active >= this.maxConcurrentRequests) {
      trace.error = new BedrockError(
        BedrockErrorType.THROTTLING,
        `Too many requests in progress (limit ${this.maxConcurrentRequests}); retry with backoff.`,
      );
      this.finish(trace);
      return errorResponse(trace.error, { 'x-amzn-requestid': trace.requestId });
    }
    this.active++;
    let streaming = false;
    try {
      const response = await this.dispatch(request, trace);
      streaming = !(response.body instanceof Uint8Array);
      return response;
    } catch (error) {
      const failure = toBedrockError(error);
      // Once the client has left, upstream calls fail because they were aborted on its behalf:
      // logged as ClientAborted, not as a service error that would count against the alarms.
      if (!request.signal.aborted) trace.error = failure;
      if (!(error instanceof BedrockError)) console.error(`request ${trace.requestId} failed:`, error);
      return errorResponse(failure, { 'x-amzn-requestid': trace.requestId });
    } finally {
      // Streams release their slot and log when they end; everything else ends here.
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

  private async dispatch(request: GatewayRequest, trace: RequestTrace): Promise<GatewayResponse> {
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
    // Adapters that stop reading a long body pass maxBodyBytes + 1 bytes of it, which lands here too.
    if (request.body.length > this.maxBodyBytes) {
      throw validationError(`The request body is larger than this endpoint's limit of ${this.maxBodyBytes} bytes; send a shorter prompt.`);
    }
    const headers = { 'x-amzn-requestid': trace.requestId };

    switch (operation) {
      case BedrockOperation.CONVERSE:
      case BedrockOperation.CONVERSE_STREAM: {
        const params = parseConverseRequest(parseJsonBody(request.body), route);
        const generation = await this.generate(route, { messages: params.messages }, params, request, trace);
        if (operation === BedrockOperation.CONVERSE) {
          const { text, end } = await collect(generation);
          trace.end = end;
          return jsonResponse(200, converseResponse(text, end, Date.now() - trace.startedAt), headers);
        }
        return this.stream(trace, request.signal, { ...headers, 'content-type': EVENT_STREAM_CONTENT_TYPE }, generation, {
          start: () => [eventFrame(...converseStreamEvents.start())],
          delta: (delta) => eventFrame(...converseStreamEvents.delta(delta.text)),
          end: (end) => converseStreamEvents.end(end, Date.now() - trace.startedAt).map(([type, payload]) => eventFrame(type, payload)),
        });
      }
      case BedrockOperation.INVOKE_MODEL:
      case BedrockOperation.INVOKE_MODEL_WITH_RESPONSE_STREAM: {
        const contentType = request.headers['content-type'];
        if (contentType && !contentType.includes('json')) {
          throw validationError(`Content-Type ${contentType} is not supported; send application/json.`);
        }
        const params = parseLlamaRequest(parseJsonBody(request.body), route);
        const generation = await this.generate(route, { prompt: params.prompt }, params, request, trace);
        if (operation === BedrockOperation.INVOKE_MODEL) {
          const { text, end } = await collect(generation);
          trace.end = end;
          return jsonResponse(200, llamaResponse(text, end), headers);
        }
        let tokens = 0;
        const chunk = (payload: unknown) => eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') });
        return this.stream(
          trace,
          request.signal,
          { ...headers, 'content-type': EVENT_STREAM_CONTENT_TYPE, 'x-amzn-bedrock-content-type': 'application/json' },
          generation,
          {
            start: () => [],
            delta: (delta) => {
              const first = tokens === 0;
              tokens += delta.tokens;
              return chunk(llamaDeltaChunk(delta.text, tokens, first ? (generation.promptTokens ?? null) : null));
            },
            end: (end) => {
              const firstByte = (generation.timings.firstTokenAt ?? Date.now()) - trace.startedAt;
              return [chunk(llamaFinalChunk(end, Date.now() - trace.startedAt, firstByte))];
            },
          },
        );
      }
      default: {
        const body = requireObject(parseJsonBody(request.body), 'The request body');
        const input = requireObject(body.input, 'input');
        const count = await this.router.countTokens(route, countTokensPrompt(input, route), request.signal);
        return jsonResponse(200, { inputTokens: count }, headers);
      }
    }
  }

  private async generate(
    route: ModelRoute,
    prompt: PromptInput,
    params: { maxTokens: number; temperature?: number; topP?: number; stopSequences?: string[] },
    request: GatewayRequest,
    trace: RequestTrace,
  ): Promise<Generation> {
    trace.generation = await this.router.generate({
      route,
      prompt,
      maxTokens: params.maxTokens,
      temperature: params.temperature,
      topP: params.topP,
      stopSequences: params.stopSequences,
      signal: request.signal,
    });
    return trace.generation;
  }

  /**
   * An event-stream answer. The first output token is already in hand (earlier failures were
   * plain error answers); failures from here on become one in-stream exception frame.
   */
  private stream(
    trace: RequestTrace,
    signal: AbortSignal,
    headers: Record<string, string>,
    generation: Generation,
    frames: { start(): Uint8Array[]; delta(delta: Delta): Uint8Array; end(end: GenerationEnd): Uint8Array[] },
  ): GatewayResponse {
    const produce = async function* () {
      yield* frames.start();
      try {
        let next = await generation.deltas.next();
        while (!next.done) {
          yield frames.delta(next.value);
          next = await generation.deltas.next();
        }
        trace.end = next.value;
        yield* frames.end(next.value);
      } catch (error) {
        if (signal.aborted) return;
        const cause = toBedrockError(error);
        trace.error = new BedrockError(BedrockErrorType.MODEL_STREAM_ERROR, cause.message);
        yield exceptionFrame(trace.error);
      }
    };
    const onClose = async () => {
      await generation.close();
      this.active--;
      this.finish(trace);
    };
    return { status: 200, headers, body: managedStream(produce, onClose, signal) };
  }
}

async function collect(generation: Generation): Promise<{ text: string; end: GenerationEnd }> {
  let text = '';
  let next = await generation.deltas.next();
  while (!next.done) {
    text += next.value.text;
    next = await generation.deltas.next();
  }
  return { text, end: next.value };
}

/** CountTokens' `input`: `{converse: {messages, system}}` or `{invokeModel: {body}}` (the native body, base64 in JSON). */
function countTokensPrompt(input: Record<string, unknown>, route: ModelRoute): PromptInput {
  if (isObject(input.converse)) return { messages: parseConverseMessages(input.converse) };
  if (isObject(input.invokeModel)) {
    const encoded = input.invokeModel.body;
    if (typeof encoded !== 'string') throw validationError('input.invokeModel.body must be the base64-encoded native request body.');
    const native = parseLlamaRequest(parseJsonBody(Buffer.from(encoded, 'base64')), route);
    return { prompt: native.prompt };
  }
  throw validationError('input must hold either converse or invokeModel.');
}

