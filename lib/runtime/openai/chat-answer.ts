import type { BedrockError } from '../bedrock/errors';
import type { StreamFrames } from '../bedrock/event-stream-answer';
import type { CollectedAnswer } from '../routing/collect-answer';
import type { Delta, GenerationEnd, StopReason } from '../routing/generation';
import { sseEvent, SSE_DONE } from './sse';
import { openAiErrorBody } from './openai-errors';

/** The answers of the OpenAI-compatible chat completions path: one `chat.completion`, or `chat.completion.chunk` events. */

function finishReason(stopReason: StopReason): 'stop' | 'length' | 'tool_calls' {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
    case 'malformed_tool_use':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

/** OpenAI's usage: prompt tokens include the cached ones, which `prompt_tokens_details` names. */
function usage(end: GenerationEnd) {
  return {
    prompt_tokens: end.inputTokens,
    completion_tokens: end.outputTokens,
    total_tokens: end.inputTokens + end.outputTokens,
    prompt_tokens_details: { cached_tokens: end.cachedInputTokens },
  };
}

/** What identifies one completion in each of its answers. */
export interface CompletionIdentity {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  /** The model id the client asked for. */
  readonly model: string;
}

export function chatCompletion(identity: CompletionIdentity, answer: CollectedAnswer) {
  const { end } = answer;
  let reasoning = '';
  for (const block of answer.blocks) if (block.kind === 'reasoning') reasoning += block.text;
  const calls = end.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  const message = {
    role: 'assistant',
    content: answer.text || (calls.length > 0 ? null : ''),
    // vLLM's name for the reasoning of a reasoning model.
    ...(reasoning ? { reasoning } : {}),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(end.stopReason) }],
    usage: usage(end),
  };
}

/**
 * The streamed answer: a first chunk with the role (the `openai` client's stream helpers require
 * it), a chunk per delta (the first piece of a tool call with its id, `type: "function"` and name),
 * a last chunk with the finish reason, the usage chunk when asked for, then `[DONE]`. The chunk
 * around each delta is built as text once: this runs once per output token.
 */
export class ChatCompletionChunks implements StreamFrames {
  private readonly before: string;
  private readonly after = ',"logprobs":null,"finish_reason":null}]}\n\n';

  constructor(
    private readonly identity: CompletionIdentity,
    private readonly includeUsage: boolean,
  ) {
    this.before = `data: {"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${identity.created},"model":${JSON.stringify(identity.model)},"choices":[{"index":0,"delta":`;
  }

  public start(): Uint8Array[] {
    return [Buffer.from(`${this.before}{"role":"assistant","content":""}${this.after}`)];
  }

  public delta(delta: Delta): Uint8Array | undefined {
    const text = JSON.stringify(delta.text);
    switch (delta.kind) {
      case 'text':
        return delta.text ? Buffer.from(`${this.before}{"content":${text}}${this.after}`) : undefined;
      case 'reasoning':
        return delta.text ? Buffer.from(`${this.before}{"reasoning":${text}}${this.after}`) : undefined;
      default: {
        const head = delta.id === undefined ? '' : `"id":${JSON.stringify(delta.id)},"type":"function",`;
        const name = delta.id === undefined ? '' : `"name":${JSON.stringify(delta.name ?? '')},`;
        if (!head && !delta.text) return undefined;
        return Buffer.from(`${this.before}{"tool_calls":[{"index":${delta.index},${head}"function":{${name}"arguments":${text}}}]}${this.after}`);
      }
    }
  }

  public end(end: GenerationEnd): Uint8Array[] {
    const base = { id: this.identity.id, object: 'chat.completion.chunk', created: this.identity.created, model: this.identity.model };
    const frames = [sseEvent({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(end.stopReason) }] })];
    if (this.includeUsage) frames.push(sseEvent({ ...base, choices: [], usage: usage(end) }));
    frames.push(sseEvent(SSE_DONE));
    return frames;
  }

  /** A stream that broke: an error event (the `openai` client raises it), and no `[DONE]`. */
  public failure(error: BedrockError): Uint8Array {
    return sseEvent(openAiErrorBody(error));
  }
}
