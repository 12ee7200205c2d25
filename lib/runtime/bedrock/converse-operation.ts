import { jsonResponse, type GatewayResponse } from '../http/http-types';
import { converseResponse } from './converse-answer';
import { parseConverseRequest, type ConverseParameters } from './converse-request';
import { ConverseStreamFrames } from './converse-stream-frames';
import { streamedAnswer } from './event-stream-answer';
import { EVENT_STREAM_CONTENT_TYPE } from './event-stream';
import { collectWholeAnswer, startGeneration, type ModelOperationContext } from './operation-context';
import { parseJsonBody } from './validation';

/** Converse and ConverseStream: a chat in, the answer as one message or as a stream of its events. */

function start(context: ModelOperationContext, params: ConverseParameters) {
  const { requestMetadata, ...request } = params;
  context.trace.requestMetadata = requestMetadata;
  return startGeneration(context, { ...request, route: context.route });
}

export async function converse(context: ModelOperationContext): Promise<GatewayResponse> {
  const params = parseConverseRequest(parseJsonBody(context.request.body), context.route);
  const generation = await start(context, params);
  const { blocks, end } = await collectWholeAnswer(context, generation);
  return jsonResponse(200, converseResponse(blocks, end, Date.now() - context.trace.startedAt), context.headers);
}

export async function converseStream(context: ModelOperationContext): Promise<GatewayResponse> {
  const params = parseConverseRequest(parseJsonBody(context.request.body), context.route);
  const generation = await start(context, params);
  return streamedAnswer(context, generation, new ConverseStreamFrames(context.trace), { 'content-type': EVENT_STREAM_CONTENT_TYPE });
}
