import { jsonResponse, type GatewayResponse, type GatewayRequest } from '../http/http-types';
import type { Delta, Generation, GenerationEnd } from '../routing/generation';
import { validationError } from './errors';
import { eventStreamAnswer, type EventStreamFrames } from './event-stream-answer';
import { eventFrame } from './event-stream';
import { llamaDeltaChunk, llamaFinalChunk, llamaResponse, parseLlamaRequest, type LlamaParameters } from './llama-native';
import { collectAnswer, startGeneration, type OperationContext } from './operation-context';
import type { RequestTrace } from './request-trace';
import { parseJsonBody } from './validation';

/** InvokeModel and InvokeModelWithResponseStream: the model's native body in, its native answer or chunks out. */

export async function invokeModel(context: OperationContext): Promise<GatewayResponse> {
  const params = nativeParameters(context);
  const generation = await startGeneration(context, { prompt: params.prompt }, params);
  const { text, end } = await collectAnswer(context, generation);
  return jsonResponse(200, llamaResponse(text, end), context.headers);
}

export async function invokeModelWithResponseStream(context: OperationContext): Promise<GatewayResponse> {
  const params = nativeParameters(context);
  const generation = await startGeneration(context, { prompt: params.prompt }, params);
  return eventStreamAnswer(context, generation, new LlamaChunkFrames(generation, context.trace), {
    'x-amzn-bedrock-content-type': 'application/json',
  });
}

/** The prompt and sampling fields of the native body, which must be JSON. */
function nativeParameters(context: OperationContext): LlamaParameters {
  assertJsonContent(context.request);
  return parseLlamaRequest(parseJsonBody(context.request.body), context.route);
}

function assertJsonContent(request: GatewayRequest): void {
  const contentType = request.headers['content-type'];
  if (contentType && !contentType.includes('json')) {
    throw validationError(`Content-Type ${contentType} is not supported; send application/json.`);
  }
}

/** The stream's `chunk` events: each carries one native chunk, base64 JSON in `bytes`. */
function chunkFrame(payload: unknown): Uint8Array {
  return eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') });
}

/** Llama's streamed chunks: one per delta with the running token count, then a final one with the invocation metrics. */
class LlamaChunkFrames implements EventStreamFrames {
  private tokens = 0;

  constructor(
    private readonly generation: Generation,
    private readonly trace: RequestTrace,
  ) {}

  public start(): Uint8Array[] {
    return [];
  }

  public delta(delta: Delta): Uint8Array {
    const first = this.tokens === 0;
    this.tokens += delta.tokens;
    return chunkFrame(llamaDeltaChunk(delta.text, this.tokens, first ? (this.generation.promptTokens ?? null) : null));
  }

  public end(end: GenerationEnd): Uint8Array[] {
    const firstByte = (this.generation.timings.firstTokenAt ?? Date.now()) - this.trace.startedAt;
    return [chunkFrame(llamaFinalChunk(end, Date.now() - this.trace.startedAt, firstByte))];
  }
}
