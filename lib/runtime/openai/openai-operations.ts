import { BedrockError, BedrockErrorType, validationError } from '../bedrock/errors';
import { streamedAnswer } from '../bedrock/event-stream-answer';
import { collectWholeAnswer, startGeneration, type OperationContext, type OperationHandler } from '../bedrock/operation-context';
import { excerpt, parseJsonBody, requireObject } from '../bedrock/validation';
import { jsonResponse, type GatewayResponse } from '../http/http-types';
import type { ModelRoute } from '../routing/registry';
import { ChatCompletionChunks, chatCompletion, type CompletionIdentity } from './chat-answer';
import { parseChatRequest } from './chat-request';
import { OpenAiRoute } from './openai-routes';

/**
 * The OpenAI-compatible path, as Bedrock Runtime has one (`/openai/v1`, the base URL the `openai`
 * client takes): chat completions, streamed and not, tools included; and the models list. The
 * model is the `model` field, one of the ids the gateway serves.
 */
export const OPENAI_PREFIX = OpenAiRoute.PREFIX;

/** The model a request names, or a not-found error listing the served ones; the trace records it. */
function findModel(context: OperationContext, modelId: unknown): ModelRoute {
  if (typeof modelId !== 'string' || modelId.length === 0) throw validationError(`model must be a model id; got ${excerpt(modelId)}.`);
  const route = context.registry.find(modelId);
  if (!route) {
    throw new BedrockError(
      BedrockErrorType.RESOURCE_NOT_FOUND,
      `The model ${excerpt(modelId)} is not served by this endpoint. Served model ids: ${context.registry.modelIds.join(', ')}.`,
    );
  }
  context.trace.modelId = modelId;
  return route;
}

async function chatCompletions(context: OperationContext): Promise<GatewayResponse> {
  const body = requireObject(parseJsonBody(context.request.body), 'The request body');
  const route = findModel(context, body.model);
  const { stream, includeUsage, ...request } = parseChatRequest(body, route);
  const generation = await startGeneration(context, { ...request, route });
  const identity: CompletionIdentity = { id: `chatcmpl-${context.trace.requestId}`, created: Math.floor(context.trace.startedAt / 1000), model: body.model as string };
  if (stream) {
    return streamedAnswer(context, generation, new ChatCompletionChunks(identity, includeUsage), {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
    });
  }
  return jsonResponse(200, chatCompletion(identity, await collectWholeAnswer(context, generation)), context.headers);
}

function model(id: string) {
  return { id, object: 'model', created: 0, owned_by: 'system' };
}

async function listModels(context: OperationContext): Promise<GatewayResponse> {
  return jsonResponse(200, { object: 'list', data: context.registry.modelIds.map(model) }, context.headers);
}

function retrieveModel(modelId: string): OperationHandler<OperationContext> {
  return async (context) => {
    findModel(context, modelId);
    return jsonResponse(200, model(modelId), context.headers);
  };
}

export interface OpenAiOperation {
  /** As logged. */
  readonly name: string;
  readonly handler: OperationHandler<OperationContext>;
}

const HANDLERS = new Map<OpenAiRoute, (modelId: string) => OperationHandler<OperationContext>>([
  [OpenAiRoute.CHAT_COMPLETIONS, () => chatCompletions],
  [OpenAiRoute.LIST_MODELS, () => listModels],
  [OpenAiRoute.RETRIEVE_MODEL, retrieveModel],
]);

/** The operation of a path under `/openai/v1`; anything else is an UnknownOperationException. */
export function parseOpenAiPath(method: string, path: string): OpenAiOperation {
  const segments = path.slice(OPENAI_PREFIX.length + 1).split('/');
  const verb = method.toUpperCase();
  const route = OpenAiRoute.ALL.find(
    (r) => r.method === verb && r.segments.length === segments.length && r.segments.every((s, i) => s === '{modelId}' || s === segments[i]),
  );
  if (!route) {
    throw new BedrockError(
      BedrockErrorType.UNKNOWN_OPERATION,
      `${excerpt(verb)} ${excerpt(path)} is not an operation of this endpoint's OpenAI-compatible path; ` +
        `use POST ${OPENAI_PREFIX}/chat/completions or GET ${OPENAI_PREFIX}/models.`,
    );
  }
  let modelId = '';
  const at = route.segments.indexOf('{modelId}');
  if (at >= 0) {
    try {
      modelId = decodeURIComponent(segments[at]);
    } catch {
      throw validationError('The model id in the path is not valid URL encoding.');
    }
  }
  return { name: route.name, handler: HANDLERS.get(route)!(modelId) };
}
