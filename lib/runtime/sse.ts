/**
 * Server-sent events, the framing of the workers' streamed answers (`data: {...}\n\n`,
 * ending with `data: [DONE]`).
 */
const encoder = new TextEncoder();

export const SSE_DONE = '[DONE]';

export function sseEvent(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/**
 * Yields, per network read, the `data` of every event that read completed (events split across
 * reads are joined). Batches let a consumer handle tokens that arrived together in one go.
 */
export async function* readSseBatches(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    const events = pending.split(/\r?\n\r?\n/);
    pending = events.pop()!;
    const batch: string[] = [];
    for (const event of events) {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) batch.push(data);
    }
    if (batch.length > 0) yield batch;
  }
}
