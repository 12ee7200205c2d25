import { randomUUID } from 'node:crypto';
import { CompletionChunk, FinishReason } from '../runtime/openai/worker-protocol';
import { sseEvent, SSE_DONE } from '../runtime/openai/sse';
import type { DecodeBatch } from '../planning/engines/decode-batch';
import { DecodeFaults } from './faults';
import { sleep } from './sleep';
import { GeneratedAnswer } from './text-generator';
import { TokenFeed } from './token-feed';

export interface CompletionStreamOptions {
  /** A chat completion (deltas, after a role chunk) or a plain one (text). */
  readonly chat: boolean;
  /** The prompt's token count, for the usage chunk. */
  readonly promptTokens: number;
  readonly answer: GeneratedAnswer;
  readonly maxTokens: number;
  readonly stops: readonly string[];
  /** The decode worker's batch: the stream's tokens come at its steps' pace. */
  readonly batch: DecodeBatch;
  readonly faults: DecodeFaults;
  readonly signal: AbortSignal;
  /** Runs once when the stream ends, however it ends. */
  readonly onEnd: () => void;
}

/**
 * A decode answer as vLLM streams it, in server-sent events: the answer's tokens, one event
 * each, as the decode batch produces them, up to max_tokens, the end of the answer or a stop string
 * (which vLLM leaves out of the text); then the finish reason, the usage and `[DONE]`.
 */
export async function* completionStream(options: CompletionStreamOptions): AsyncGenerator<Uint8Array> {
  const { chat, answer, maxTokens, stops, faults, signal } = options;
  const id = `chatcmpl-${randomUUID()}`;
  const chunk = (text: string | undefined, finish: FinishReason | null, stopReason?: string | null): CompletionChunk => ({
    id,
    choices: [
      chat
        ? { index: 0, delta: text === undefined ? {} : { content: text }, finish_reason: finish, stop_reason: stopReason }
        : { index: 0, text: text ?? '', finish_reason: finish, stop_reason: stopReason },
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
    let finish: FinishReason = maxTokens < answer.naturalLength ? 'length' : 'stop';
    let stopReason: string | null = null;
    while (produced < limit) {
      if (faults.breakAfterTokens !== undefined && produced >= faults.breakAfterTokens) {
        throw new Error(`decode stream broken after ${produced} tokens (injected fault)`);
      }
      if (!(await feed.next(signal))) break;
      let token = answer.token(produced);
      produced++;
      const hit = firstStop(text + token, stops, text.length);
      if (hit) {
        // vLLM drops the stop string and whatever follows it from the output.
        token = (text + token).slice(text.length, hit.index);
        finish = 'stop';
        stopReason = hit.stop;
      }
      text += token;
      if (token) yield sseEvent(chunk(token, null));
      if (hit) break;
    }
    yield sseEvent(chunk(undefined, finish, stopReason));
    const promptTokens = options.promptTokens;
    yield sseEvent({
      id,
      choices: [],
      usage: { prompt_tokens: promptTokens, completion_tokens: produced, total_tokens: promptTokens + produced },
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
