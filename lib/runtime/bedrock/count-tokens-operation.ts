import { jsonResponse, type GatewayResponse } from '../http/http-types';
import type { PromptInput } from '../routing/generation';
import type { ModelRoute } from '../routing/registry';
import { parseConverseChat } from './converse-request';
import { validationError } from './errors';
import { parseLlamaRequest } from './llama-native';
import type { ModelOperationContext } from './operation-context';
import { isObject, parseJsonBody, requireObject } from './validation';

/** CountTokens: the prompt a Converse or InvokeModel request would send, counted by the model's own tokenizer. */
export async function countTokens(context: ModelOperationContext): Promise<GatewayResponse> {
  const body = requireObject(parseJsonBody(context.request.body), 'The request body');
  const input = requireObject(body.input, 'input');
  const count = await context.router.countTokens(context.route, countTokensPrompt(input, context.route), context.request.signal);
  return jsonResponse(200, { inputTokens: count }, context.headers);
}

/**
 * CountTokens' `input`: `{converse: {messages, system, toolConfig}}` (tools count: the chat
 * template renders them into the prompt) or `{invokeModel: {body}}` (the native body, base64 in JSON).
 */
function countTokensPrompt(input: Record<string, unknown>, route: ModelRoute): PromptInput {
  if (isObject(input.converse)) return parseConverseChat(input.converse);
  if (isObject(input.invokeModel)) {
    const encoded = input.invokeModel.body;
    if (typeof encoded !== 'string') throw validationError('input.invokeModel.body must be the base64-encoded native request body.');
    const native = parseLlamaRequest(parseJsonBody(Buffer.from(encoded, 'base64')), route);
    return { prompt: native.prompt };
  }
  throw validationError('input must hold either converse or invokeModel.');
}
