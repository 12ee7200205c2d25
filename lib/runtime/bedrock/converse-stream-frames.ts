import type { Delta, GenerationEnd } from '../routing/generation';
import { bedrockUsage } from './token-usage';
import type { BedrockError } from './errors';
import type { StreamFrames } from './event-stream-answer';
import { eventFrame, exceptionFrame, jsonEventFrame } from './event-stream';
import type { RequestTrace } from './request-trace';

/**
 * ConverseStream's events: messageStart; per content block its deltas (a contentBlockStart
 * first for a tool call only: clients such as LangChain refuse one before a text block) and a
 * contentBlockStop; then messageStop and metadata. Blocks are numbered in order from 0; a new
 * block begins when the output changes kind (reasoning, text, a tool call) or tool call.
 * Each delta frame is built as JSON text by hand: this runs once per output token.
 */
export class ConverseStreamFrames implements StreamFrames {
  /** The open block: its index, and what it holds (-1 for text and reasoning, else the tool call's index). */
  private index = -1;
  private kind: Delta['kind'] | undefined;
  private toolIndex = -1;

  constructor(private readonly trace: RequestTrace) {}

  public start(): Uint8Array[] {
    return [eventFrame('messageStart', { role: 'assistant' })];
  }

  public delta(delta: Delta): Uint8Array | undefined {
    const opens = delta.kind !== this.kind || (delta.kind === 'toolCall' && delta.index !== this.toolIndex);
    const frame = delta.text ? jsonEventFrame('contentBlockDelta', this.deltaJson(opens ? this.index + 1 : this.index, delta)) : undefined;
    if (!opens) return frame;
    const frames: Uint8Array[] = [];
    if (this.kind !== undefined) frames.push(this.stop());
    this.index++;
    this.kind = delta.kind;
    this.toolIndex = delta.kind === 'toolCall' ? delta.index : -1;
    if (delta.kind === 'toolCall') {
      frames.push(eventFrame('contentBlockStart', { contentBlockIndex: this.index, start: { toolUse: { toolUseId: delta.id, name: delta.name } } }));
    }
    if (frame) frames.push(frame);
    return frames.length === 1 ? frames[0] : Buffer.concat(frames);
  }

  public end(end: GenerationEnd): Uint8Array[] {
    // Even an answer without output closes its (empty) first block: clients wait for the stop.
    if (this.kind === undefined) this.index = 0;
    return [
      this.stop(),
      eventFrame('messageStop', { stopReason: end.stopReason }),
      eventFrame('metadata', {
        usage: bedrockUsage(end),
        metrics: { latencyMs: Math.round(Date.now() - this.trace.startedAt) },
        performanceConfig: { latency: end.latency },
      }),
    ];
  }

  public failure(error: BedrockError): Uint8Array {
    return exceptionFrame(error);
  }

  private stop(): Uint8Array {
    return jsonEventFrame('contentBlockStop', `{"contentBlockIndex":${this.index}}`);
  }

  private deltaJson(index: number, delta: Delta): string {
    const text = JSON.stringify(delta.text);
    switch (delta.kind) {
      case 'text':
        return `{"contentBlockIndex":${index},"delta":{"text":${text}}}`;
      case 'reasoning':
        return `{"contentBlockIndex":${index},"delta":{"reasoningContent":{"text":${text}}}}`;
      default:
        return `{"contentBlockIndex":${index},"delta":{"toolUse":{"input":${text}}}}`;
    }
  }
}
