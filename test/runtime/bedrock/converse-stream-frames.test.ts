import { EventStreamCodec } from '@smithy/eventstream-codec';
import { ConverseStreamFrames } from '../../../lib/runtime/bedrock/converse-stream-frames';
import { eventFrame, jsonEventFrame } from '../../../lib/runtime/bedrock/event-stream';
import { RequestTrace } from '../../../lib/runtime/bedrock/request-trace';
import type { Delta, GenerationEnd } from '../../../lib/runtime/routing/generation';

// ConverseStream's framing of mixed output: block numbers, starts for tool calls only, a stop per block.

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => Buffer.from(s, 'utf8'));
function decode(bytes: Uint8Array[]): Array<[string, unknown]> {
  const all = Buffer.concat(bytes);
  const events: Array<[string, unknown]> = [];
  for (let at = 0; at < all.length; at += all.readUInt32BE(at)) {
    const message = codec.decode(all.subarray(at, at + all.readUInt32BE(at)));
    events.push([String(message.headers[':event-type'].value), JSON.parse(Buffer.from(message.body).toString())]);
  }
  return events;
}

const end: GenerationEnd = { stopReason: 'tool_use', inputTokens: 10, cachedInputTokens: 4, cacheWriteInputTokens: 0, outputTokens: 7, toolCalls: [], latency: 'optimized' };

test('reasoning, text and two tool calls: blocks 0 to 3 in order, each stopped before the next, a start for each call', () => {
  const frames = new ConverseStreamFrames(new RequestTrace(new AbortController().signal));
  const deltas: Delta[] = [
    { kind: 'reasoning', text: 'Think.', tokens: 1 },
    { kind: 'text', text: 'Calling', tokens: 1 },
    { kind: 'text', text: ' tools.', tokens: 1 },
    { kind: 'toolCall', index: 0, id: 'a', name: 'f', text: '', tokens: 1 },
    { kind: 'toolCall', index: 0, text: '{"x":1}', tokens: 1 },
    { kind: 'toolCall', index: 1, id: 'b', name: 'g', text: '{}', tokens: 1 },
  ];
  const bytes = [...frames.start(), ...deltas.map((d) => frames.delta(d)).filter((b): b is Uint8Array => b !== undefined), ...frames.end(end)];
  const events = decode(bytes);
  expect(events.slice(0, -1)).toEqual([
    ['messageStart', { role: 'assistant' }],
    ['contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Think.' } } }],
    ['contentBlockStop', { contentBlockIndex: 0 }],
    ['contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'Calling' } }],
    ['contentBlockDelta', { contentBlockIndex: 1, delta: { text: ' tools.' } }],
    ['contentBlockStop', { contentBlockIndex: 1 }],
    ['contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'a', name: 'f' } } }],
    ['contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{"x":1}' } } }],
    ['contentBlockStop', { contentBlockIndex: 2 }],
    ['contentBlockStart', { contentBlockIndex: 3, start: { toolUse: { toolUseId: 'b', name: 'g' } } }],
    ['contentBlockDelta', { contentBlockIndex: 3, delta: { toolUse: { input: '{}' } } }],
    ['contentBlockStop', { contentBlockIndex: 3 }],
    ['messageStop', { stopReason: 'tool_use' }],
  ]);
  expect(events[events.length - 1]).toEqual([
    'metadata',
    {
      usage: { inputTokens: 6, outputTokens: 7, totalTokens: 17, cacheReadInputTokens: 4, cacheWriteInputTokens: 0 },
      metrics: { latencyMs: expect.any(Number) },
      performanceConfig: { latency: 'optimized' },
    },
  ]);
});

test('an answer with no output still stops its block 0', () => {
  const frames = new ConverseStreamFrames(new RequestTrace(new AbortController().signal));
  expect(decode(frames.end({ ...end, stopReason: 'end_turn' })).map(([name]) => name)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
});

test('the hand-built frame is the codec frame, byte for byte', () => {
  const payload = { contentBlockIndex: 3, delta: { text: 'héllo "quoted" \\n ✓' } };
  expect(Buffer.from(jsonEventFrame('contentBlockDelta', JSON.stringify(payload))).equals(Buffer.from(eventFrame('contentBlockDelta', payload)))).toBe(true);
});
