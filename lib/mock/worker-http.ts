import { GatewayRequest, GatewayResponse, HttpHandler, jsonResponse } from '../runtime/http/http-types';
import { renderReportedLoad } from '../runtime/openai/vllm-metrics';
import { ChatMessage, CompletionRequest, PATHS, TokenizeRequest, TokenizeResponse, WorkerErrorBody } from '../runtime/openai/worker-protocol';
import type { ReportedLoad } from '../runtime/routing/worker-directory';
import { MockPrompt, promptTokenIds } from './tokenizer';

/** Pieces both mock workers use to speak vLLM's OpenAI-compatible API. */

export class WorkerHttpError extends Error {
  constructor(public readonly status: number, message: string, public readonly type = 'BadRequestError') {
    super(message);
  }
}

function workerError(status: number, message: string, type: string): GatewayResponse {
  const body: WorkerErrorBody = { error: { message, type, code: status } };
  return jsonResponse(status, body);
}

/** Runs a worker route, turning WorkerHttpErrors into OpenAI-style error answers. */
async function answering(run: () => Promise<GatewayResponse>): Promise<GatewayResponse> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof WorkerHttpError) return workerError(error.status, error.message, error.type);
    throw error;
  }
}

/**
 * vLLM's routes as both mock workers serve them: `/health`, `/metrics` (vLLM's load gauges, as
 * `load` makes them of the completions `complete` has not answered yet), `/tokenize`, and the chat
 * and plain completion endpoints, which `complete` answers (prefill or decode).
 */
export function workerRoutes(
  servedModel: string,
  contextWindow: number,
  complete: (request: GatewayRequest) => Promise<GatewayResponse>,
  load: (unanswered: number) => ReportedLoad,
): HttpHandler {
  let unanswered = 0;
  const completing = async (request: GatewayRequest) => {
    unanswered++;
    try {
      return await complete(request);
    } finally {
      unanswered--;
    }
  };
  return (request) =>
    answering(async () => {
      if (request.method === 'GET' && request.path === PATHS.health) return jsonResponse(200, {});
      if (request.method === 'GET' && request.path === PATHS.metrics) {
        // prometheus_client's exposition content type (text format 0.0.4).
        const page = Buffer.from(renderReportedLoad(load(unanswered), servedModel));
        return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body: page };
      }
      if (request.method !== 'POST') return workerError(405, `${request.method} is not allowed`, 'MethodNotAllowed');
      if (request.path === PATHS.tokenize) return tokenizeAnswer(request, servedModel, contextWindow);
      if (request.path === PATHS.completions || request.path === PATHS.chatCompletions) return completing(request);
      return workerError(404, `no route ${request.path}`, 'NotFoundError');
    });
}

export function parseWorkerBody<T>(request: GatewayRequest): T {
  try {
    return JSON.parse(Buffer.from(request.body).toString('utf8')) as T;
  } catch {
    throw new WorkerHttpError(400, 'the request body is not valid JSON');
  }
}

/** The prompt of a chat, completion or tokenize request. */
export function promptOf(request: CompletionRequest | TokenizeRequest): MockPrompt {
  if (Array.isArray(request.messages)) return { messages: request.messages as ChatMessage[], tools: request.tools };
  if (typeof request.prompt === 'string') return { prompt: request.prompt };
  throw new WorkerHttpError(400, 'the request needs messages or prompt');
}

/** What both workers check first: the served model name and the prompt's fit in the context window. */
export function admit(request: CompletionRequest | TokenizeRequest, servedModel: string, contextWindow: number): number[] {
  if (request.model !== servedModel) throw new WorkerHttpError(404, `The model \`${request.model}\` does not exist.`, 'NotFoundError');
  const tokens = promptTokenIds(promptOf(request));
  if (tokens.length >= contextWindow) {
    throw new WorkerHttpError(
      400,
      `This model's maximum context length is ${contextWindow} tokens. However, your request has ${tokens.length} input tokens.`,
    );
  }
  return tokens;
}

/** vLLM's `/tokenize`. */
function tokenizeAnswer(request: GatewayRequest, servedModel: string, contextWindow: number): GatewayResponse {
  const body = parseWorkerBody<TokenizeRequest>(request);
  if (body.model !== servedModel) throw new WorkerHttpError(404, `The model \`${body.model}\` does not exist.`, 'NotFoundError');
  const tokens = promptTokenIds(promptOf(body));
  const answer: TokenizeResponse = { count: tokens.length, max_model_len: contextWindow, tokens };
  return jsonResponse(200, answer);
}

/** A body that never yields: the adapter drops the connection without an answer, as a dead process would. */
export function crashedBody(message: string): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(new Error(message)),
    }),
  };
}
