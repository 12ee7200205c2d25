import { jsonResponse, type GatewayResponse, type GatewayRequest } from '../http/http-types';
import type { Delta, Generation, GenerationEnd, LatencyTier } from '../routing/generation';
import { validationError, type BedrockError } from './errors';
import { streamedAnswer, type StreamFrames } from './event-stream-answer';
import { EVENT_STREAM_CONTENT_TYPE, eventFrame, exceptionFrame } from './event-stream';
import { llamaDeltaChunk, llamaFinalChunk, llamaResponse, parseLlamaRequest, type LlamaParameters } from './llama-native';
import { collectWholeAnswer, startGeneration, type ModelOperationContext } from './operation-context';
import type { RequestTrace } from './request-trace';
import { LATENCY_HEADER, latencyHeader } from './request-options';
import { bedrockUsage } from './token-usage';
import { parseJsonBody } from './validation';

/** InvokeModel and InvokeModelWithResponseStream: the model's native body in, its native answer or chunks out. */

export async function invokeModel(context: ModelOperationContext): Promise<GatewayResponse> {
  const { params, latency } = nativeParameters(context);
  const generation = await startGeneration(context, { ...params, prompt: { prompt: params.prompt }, latency, route: context.route });
  const { text, end } = await collectWholeAnswer(context, generation);
  const latencyMs = Math.round(Date.now() - context.trace.startedAt);
  // The usage headers clients read InvokeModel's token counts and latency from (Bedrock sends them on every InvokeModel answer),
  // input apart from the cache's reads and writes as in Converse's usage (the SDKs' instrumentation, e.g. dd-trace-js's
  // bedrockruntime plugin, reads x-amzn-bedrock-cache-read-input-token-count and -cache-write-input-token-count).
  const usage = bedrockUsage(end);
  return jsonResponse(200, llamaResponse(text, end), {
    ...context.headers,
    'x-amzn-bedrock-input-token-count': String(usage.inputTokens),
    'x-amzn-bedrock-output-token-count': String(end.outputTokens),
    'x-amzn-bedrock-cache-read-input-token-count': String(usage.cacheReadInputTokens),
    'x-amzn-bedrock-cache-write-input-token-count': String(usage.cacheWriteInputTokens),
    'x-amzn-bedrock-invocation-latency': String(latencyMs),
    [LATENCY_HEADER]: end.latency,
  });
}

export async function invokeModelWithResponseStream(context: ModelOperationContext): Promise<GatewayResponse> {
  const { params, latency } = nativeParameters(context);
  const generation = await startGeneration(context, { ...params, prompt: { prompt: params.prompt }, latency, route: context.route });
  return streamedAnswer(context, generation, new LlamaChunkFrames(generation, context.trace), {
    'content-type': EVENT_STREAM_CONTENT_TYPE,
    'x-amzn-bedrock-content-type': 'application/json',
    [LATENCY_HEADER]: generation.latency,
  });
}

/** The prompt and sampling fields of the native body, which must be JSON, and the latency tier of the request's header. */
function nativeParameters(context: ModelOperationContext): { params: LlamaParameters; latency: LatencyTier } {
  assertJsonContent(context.request);
  const latency = latencyHeader(context.request.headers);
  return { params: parseLlamaRequest(parseJsonBody(context.request.body), context.route), latency };
}

function assertJsonContent(request: GatewayRequest): void {
  const contentType = request.headers['content-type'];
  if (contentType && !contentType.includes('json')) {
    throw validationError(`Content-Type ${contentType.slice(0, 100)} is not supported; send application/json.`);
  }
}

/** The stream's `chunk` events: each carries one native chunk, base64 JSON in `bytes`. */
function chunkFrame(payload: unknown): Uint8Array {
  return eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') });
}

/** Llama's streamed chunks: one per text delta with the running token count, then a final one with the invocation metrics. */
class LlamaChunkFrames implements StreamFrames {
  private tokens = 0;

  constructor(
    private readonly generation: Generation,
    private readonly trace: RequestTrace,
  ) {}

  public start(): Uint8Array[] {
    return [];
  }

  public delta(delta: Delta): Uint8Array | undefined {
    // A plain completion carries text only.
    if (delta.kind !== 'text') return undefined;
    const first = this.tokens === 0;
    this.tokens += delta.tokens;
    return chunkFrame(llamaDeltaChunk(delta.text, this.tokens, first ? (this.generation.promptTokens ?? null) : null));
  }

  public end(end: GenerationEnd): Uint8Array[] {
    const firstByte = (this.generation.timings.firstTokenAt ?? Date.now()) - this.trace.startedAt;
    return [chunkFrame(llamaFinalChunk(end, Date.now() - this.trace.startedAt, firstByte))];
  }

  public failure(error: BedrockError): Uint8Array {
    return exceptionFrame(error);
  }
}
