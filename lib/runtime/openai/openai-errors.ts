import type { BedrockError } from '../bedrock/errors';
import { jsonResponse, type GatewayResponse } from '../http/http-types';

/**
 * Errors of the OpenAI-compatible path in OpenAI's shape: the status of the Bedrock error the
 * request ended in, and `{error: {message, type, param, code}}`, `type` as OpenAI names the class
 * (which the `openai` client maps statuses to) and `code` the Bedrock error name.
 */
function errorClass(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 401 || status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'api_error';
}

export function openAiErrorBody(error: BedrockError) {
  return { error: { message: error.message, type: errorClass(error.type.httpStatus), param: null, code: error.type.name } };
}

export function openAiErrorResponse(error: BedrockError, headers: Record<string, string> = {}): GatewayResponse {
  return jsonResponse(error.type.httpStatus, openAiErrorBody(error), headers);
}
