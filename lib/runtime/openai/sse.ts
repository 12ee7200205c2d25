/**
 * Server-sent events, the framing of the workers' streamed answers (`data: {...}\n\n`,
 * ending with `data: [DONE]`).
 */
import { StringDecoder } from 'node:string_decoder';

const encoder = new TextEncoder();

export const SSE_DONE = '[DONE]';

export function sseEvent(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** The `data` of one event's text (its lines without the blank line that ended it). */
function eventData(event: string): string {
  // The usual shape, one `data: ` line, without splitting.
  if (event.startsWith('data: ') && !event.includes('\n')) return event.slice(6);
  return event
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''))
    .join('\n');
}

/**
 * Yields, per network read, the `data` of every event that read completed (events split across
 * reads are joined). Batches let a consumer handle tokens that arrived together in one go.
 */
export async function* readSseBatches(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  // StringDecoder keeps a character split across reads whole, without the ICU converter a
  // streaming TextDecoder sets up per stream.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of chunks) {
    pending += decoder.write(chunk);
    const batch: string[] = [];
    if (pending.includes('\r')) {
      const events = pending.split(/\r?\n\r?\n/);
      pending = events.pop()!;
      for (const event of events) {
        const data = eventData(event);
        if (data) batch.push(data);
      }
    } else {
      // Plain `\n` line ends (what vLLM and the mock send): scan for the blank lines instead of a regex split.
      let start = 0;
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n', start)) {
        const data = eventData(pending.slice(start, end));
        if (data) batch.push(data);
        start = end + 2;
      }
      pending = pending.slice(start);
    }
    if (batch.length > 0) yield batch;
  }
}
