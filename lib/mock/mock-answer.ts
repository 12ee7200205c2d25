import type { ChatMessage, CompletionRequest } from '../runtime/openai/worker-protocol';
import { answerFor } from './text-generator';
import { promptDigest, tokenPieces } from './tokenizer';
import { argumentsFor, chosenTool, lastUserText } from './tool-calls';

/** One output token of the mock model: reasoning, answer text, or a piece of its tool call (the first names the call). */
export type MockToken =
  | { readonly kind: 'reasoning' | 'text'; readonly text: string }
  | { readonly kind: 'toolCall'; readonly text: string; readonly call?: { readonly id: string; readonly name: string } };

export interface MockAnswer {
  /** Tokens the model would produce before ending on its own. */
  readonly naturalLength: number;
  /** The token at a position (0-based). */
  token(index: number): MockToken;
  /** How a whole answer ends: `tool_calls` for a call the model chose (`auto`), `stop` otherwise (vLLM ends a forced call so). */
  readonly finishReason: 'stop' | 'tool_calls';
}

export interface MockAnswerOptions {
  /** The model reasons before it answers (gpt-oss, Qwen3): reasoning tokens come first. */
  readonly reasoning: boolean;
  /** Length of a text answer, in tokens. @default 12-60, from the prompt */
  readonly naturalAnswerTokens?: number;
  /** Cut every tool call's arguments short of their closing brace (a model emitting malformed tool JSON). */
  readonly malformedToolCalls?: boolean;
}

/** Reasoning lengths, in tokens: 6 to 16, from the prompt. */
const MIN_REASONING_TOKENS = 6;
const REASONING_SPREAD = 11;
/** Draws the reasoning from the prompt apart from the answer. */
const REASONING_SALT = 0x5bd1e995;

/**
 * What the mock model says to a request, token by token: for a reasoning model some reasoning
 * first; then a tool call when the rules of `chosenTool` say so (its arguments as JSON, streamed in
 * one piece per token, as vLLM streams them), or text that uses the tool results when the
 * conversation ends with them, or deterministic text (the same prompt always gets the same answer).
 */
export function mockAnswer(request: CompletionRequest, promptTokens: readonly number[], options: MockAnswerOptions): MockAnswer {
  const messages = request.messages;
  const reasoning = options.reasoning && messages ? answerFor(promptTokens, undefined, REASONING_SALT) : undefined;
  const reasoningLength = reasoning ? MIN_REASONING_TOKENS + (reasoning.naturalLength % REASONING_SPREAD) : 0;
  const body = messages ? chatBody(request, messages, promptTokens, options) : plainBody(promptTokens, options);
  return {
    naturalLength: reasoningLength + body.length,
    finishReason: body.finishReason,
    token: (index) => (index < reasoningLength ? { kind: 'reasoning', text: reasoning!.token(index) } : body.token(index - reasoningLength)),
  };
}

interface Body {
  readonly length: number;
  readonly finishReason: 'stop' | 'tool_calls';
  token(index: number): MockToken;
}

function plainBody(promptTokens: readonly number[], options: MockAnswerOptions): Body {
  const answer = answerFor(promptTokens, options.naturalAnswerTokens);
  return { length: answer.naturalLength, finishReason: 'stop', token: (index) => ({ kind: 'text', text: answer.token(index) }) };
}

function chatBody(request: CompletionRequest, messages: readonly ChatMessage[], promptTokens: readonly number[], options: MockAnswerOptions): Body {
  const tool = chosenTool(messages, request.tools, request.tool_choice);
  if (tool) {
    const json = JSON.stringify(argumentsFor(tool, lastUserText(messages)));
    const pieces = tokenPieces(options.malformedToolCalls ? json.slice(0, -1) : json);
    // vLLM's id shape; from the prompt, as everything the mock says, so the same request gets the same answer.
    const call = { id: `chatcmpl-tool-${promptDigest(promptTokens).toString('hex').slice(0, 32)}`, name: tool.function.name };
    return {
      // The call's first piece names it, with no argument text yet.
      length: 1 + pieces.length,
      finishReason: request.tool_choice === 'auto' || request.tool_choice === undefined ? 'tool_calls' : 'stop',
      token: (index) => (index === 0 ? { kind: 'toolCall', text: '', call } : { kind: 'toolCall', text: pieces[index - 1] }),
    };
  }
  const results = toolResultSentence(messages);
  if (results) {
    const pieces = tokenPieces(results);
    return { length: pieces.length, finishReason: 'stop', token: (index) => ({ kind: 'text', text: pieces[index] }) };
  }
  return plainBody(promptTokens, options);
}

/** For a conversation that ends with tool results: "The get_weather tool returned {...}." for each. */
function toolResultSentence(messages: readonly ChatMessage[]): string | undefined {
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i].role === 'tool'; i--) {
    const result = messages[i] as Extract<ChatMessage, { role: 'tool' }>;
    results.unshift(`The ${toolName(messages, result.tool_call_id)} tool returned ${result.content}.`);
  }
  return results.length > 0 ? results.join(' ') : undefined;
}

/** The name of the call a result answers, from the assistant message that made it. */
function toolName(messages: readonly ChatMessage[], callId: string): string {
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    const call = message.tool_calls?.find((c) => c.id === callId);
    if (call) return call.function.name;
  }
  return 'requested';
}
