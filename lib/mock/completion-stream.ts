import { randomUUID } from 'node:crypto';
import { CompletionChunk, CompletionDelta, FinishReason } from '../runtime/openai/worker-protocol';
import { sseEvent, SSE_DONE } from '../runtime/openai/sse';
import type { DecodeBatch } from '../planning/engines/decode-batch';
import { DecodeFaults } from './faults';
import type { MockAnswer, MockToken } from './mock-answer';
import { sleep } from './sleep';
import { TokenFeed } from './token-feed';

export interface CompletionStreamOptions {
  /** A chat completion (deltas, after a role chunk) or a plain one (text). */
  readonly chat: boolean;
  /** The prompt's token count, for the usage chunk. */
  readonly promptTokens: number;
  /** Of them, those the worker's prefix cache served, and those it wrote of a prefix the request asked to keep. */
  readonly cachedTokens: number;
  readonly cacheWriteTokens: number;
  readonly answer: MockAnswer;
  readonly maxTokens: number;
  readonly stops: readonly string[];
  /** The decode worker's batch: the stream's tokens come at its steps' pace. */
  readonly batch: DecodeBatch;
  readonly faults: DecodeFaults;
  readonly signal: AbortSignal;
  /** Runs once when the stream ends, however it ends. */
  readonly onEnd: () => void;
}

/** A token as vLLM streams it in a chat completion: reasoning in `reasoning`, text in `content`, a tool call in `tool_calls`. */
function chatDelta(token: MockToken): CompletionDelta {
  switch (token.kind) {
    case 'reasoning':
      return { reasoning: token.text };
    case 'text':
      return { content: token.text };
    default:
      return token.call
        ? { tool_calls: [{ index: 0, id: token.call.id, type: 'function', function: { name: token.call.name, arguments: token.text } }] }
        : { tool_calls: [{ index: 0, function: { arguments: token.text } }] };
  }
}

/**
 * A decode answer as vLLM streams it, in server-sent events: the answer's tokens (reasoning, text
 * or a tool call's pieces: see mock-answer.ts), one event each, as the decode batch produces them,
 * up to max_tokens, the end of the answer or a stop string in its text (which vLLM leaves out of the
 * text); then the finish reason, the usage (with the prompt tokens the worker's prefix cache served)
 * and `[DONE]`.
 */
export async function* completionStream(options: CompletionStreamOptions): AsyncGenerator<Uint8Array> {
  const { chat, answer, maxTokens, stops, faults, signal } = options;
  const id = `chatcmpl-${randomUUID()}`;
  const chunk = (token: MockToken | undefined, finish: FinishReason | null, stopReason?: string | null): CompletionChunk => ({
    id,
    choices: [
      chat
        ? { index: 0, delta: token ? chatDelta(token) : {}, finish_reason: finish, stop_reason: stopReason }
        : { index: 0, text: token?.text ?? '', finish_reason: finish, stop_reason: stopReason },
    ],
  });
  let feed: TokenFeed | undefined;
  try {
    if (chat) yield sseEvent({ id, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    await sleep(faults.delayMs ?? 0, signal);
    const limit = Math.min(maxTokens, answer.naturalLength);
    feed = new TokenFeed(options.batch, options.promptTokens, limit);
    let text = '';
    let produced = 0;
    let finish: FinishReason = maxTokens < answer.naturalLength ? 'length' : answer.finishReason;
    let stopReason: string | null = null;
    while (produced < limit) {
      if (faults.breakAfterTokens !== undefined && produced >= faults.breakAfterTokens) {
        throw new Error(`decode stream broken after ${produced} tokens (injected fault)`);
      }
      if (!(await feed.next(signal))) break;
      let token = answer.token(produced);
      produced++;
      // Stop strings end the answer's text (vLLM drops the stop string and whatever follows it).
      const hit = token.kind === 'text' ? firstStop(text + token.text, stops, text.length) : undefined;
      if (hit) {
        token = { kind: 'text', text: (text + token.text).slice(text.length, hit.index) };
        finish = 'stop';
        stopReason = hit.stop;
      }
      if (token.kind === 'text') text += token.text;
      if (token.text || token.kind === 'toolCall') yield sseEvent(chunk(token, null));
      if (hit) break;
    }
    yield sseEvent(chunk(undefined, finish, stopReason));
    const promptTokens = options.promptTokens;
    yield sseEvent({
      id,
      choices: [],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: produced,
        total_tokens: promptTokens + produced,
        prompt_tokens_details: { cached_tokens: options.cachedTokens, cache_write_tokens: options.cacheWriteTokens },
      },
    });
    yield sseEvent(SSE_DONE);
  } finally {
    feed?.close();
    options.onEnd();
  }
}

/** The earliest stop string in `text` that ends after `from` (so only new text can trigger it). */
function firstStop(text: string, stops: readonly string[], from: number): { index: number; stop: string } | undefined {
  let best: { index: number; stop: string } | undefined;
  for (const stop of stops) {
    const index = text.indexOf(stop, Math.max(0, from - stop.length + 1));
    if (index >= 0 && (!best || index < best.index)) best = { index, stop };
  }
  return best;
}
