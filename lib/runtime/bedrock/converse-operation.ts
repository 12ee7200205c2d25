import { jsonResponse, type GatewayResponse } from '../http/http-types';
import type { Delta, GenerationEnd } from '../routing/generation';
import { converseResponse, converseStreamEvents, parseConverseRequest } from './converse';
import { eventStreamAnswer, type EventStreamFrames } from './event-stream-answer';
import { eventFrame } from './event-stream';
import { collectAnswer, startGeneration, type OperationContext } from './operation-context';
import type { RequestTrace } from './request-trace';
import { parseJsonBody } from './validation';

/** Converse and ConverseStream: a chat in, the answer as one message or as a stream of its events. */

export async function converse(context: OperationContext): Promise<GatewayResponse> {
  const params = parseConverseRequest(parseJsonBody(context.request.body), context.route);
  const generation = await startGeneration(context, { messages: params.messages }, params);
  const { text, end } = await collectAnswer(context, generation);
  return jsonResponse(200, converseResponse(text, end, Date.now() - context.trace.startedAt), context.headers);
}

export async function converseStream(context: OperationContext): Promise<GatewayResponse> {
  const params = parseConverseRequest(parseJsonBody(context.request.body), context.route);
  const generation = await startGeneration(context, { messages: params.messages }, params);
  return eventStreamAnswer(context, generation, new ConverseStreamFrames(context.trace));
}

/** ConverseStream's events: messageStart, a contentBlockDelta per delta, then stop and metadata. */
class ConverseStreamFrames implements EventStreamFrames {
  constructor(private readonly trace: RequestTrace) {}

  public start(): Uint8Array[] {
    return [eventFrame(...converseStreamEvents.start())];
  }

  public delta(delta: Delta): Uint8Array {
    return eventFrame(...converseStreamEvents.delta(delta.text));
  }

  public end(end: GenerationEnd): Uint8Array[] {
    return converseStreamEvents.end(end, Date.now() - this.trace.startedAt).map(([type, payload]) => eventFrame(type, payload));
  }
}
