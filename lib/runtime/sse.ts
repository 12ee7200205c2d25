/**
 * Server-sent events, the framing of the workers' streamed answers (`data: {...}\n\n`,
 * ending with `data: [DONE]`).
 */
const encoder = new TextEncoder();

export const SSE_DONE = '[DONE]';

export function sseEvent(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** Yields the `data` of each event as it completes; tolerates events split across chunks. */
export async function* readSseData(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = pending.search(/\r?\n\r?\n/)) >= 0) {
      const event = pending.slice(0, end);
      pending = pending.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) yield data;
    }
  }
}
