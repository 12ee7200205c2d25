import { readSseBatches } from '../../../lib/runtime/openai/sse';

async function batches(parts: Array<string | Uint8Array>): Promise<string[][]> {
  async function* reads() {
    for (const part of parts) yield typeof part === 'string' ? new TextEncoder().encode(part) : part;
  }
  const out: string[][] = [];
  for await (const batch of readSseBatches(reads())) out.push(batch);
  return out;
}

test('events that arrive in one read come out as one batch, in order', async () => {
  expect(await batches(['data: {"a":1}\n\ndata: {"b":2}\n\n', 'data: [DONE]\n\n'])).toEqual([['{"a":1}', '{"b":2}'], ['[DONE]']]);
});

test('an event split across reads is joined, even inside a multi-byte character', async () => {
  const bytes = new TextEncoder().encode('data: {"t":"é€"}\n\n');
  const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of €
  expect(await batches(['data: {"a"', ':1}\n\nda', bytes.subarray(0, 0), 'ta: x\n\n'])).toEqual([['{"a":1}'], ['x']]);
  expect(await batches([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([['{"t":"é€"}']]);
});

test('CRLF line ends, comments, data without a space and multi-line data are read as SSE defines them', async () => {
  expect(await batches(['data: a\r\n\r\ndata: b\r\n', '\r\n'])).toEqual([['a'], ['b']]);
  expect(await batches([': comment\n\ndata:nospace\n\nevent: e\ndata: l1\ndata: l2\n\n'])).toEqual([['nospace', 'l1\nl2']]);
});
