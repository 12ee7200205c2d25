import { randomBytes } from 'node:crypto';
import { TOOL_IDENTIFIER } from '../bedrock/converse-content';
import type { ToolCallDelta } from '../openai/worker-protocol';
import type { CompletedToolCall } from './generation';

/**
 * The tool calls of one streamed answer, put together from their pieces: the first piece of each
 * call names it (id, function name), the rest carry argument text. Ids that Bedrock would not
 * take (or none) are replaced, once, so the stream and the end agree on them.
 */
export class ToolCallAssembly {
  private readonly calls: Array<{ id: string; name: string; arguments: string }> = [];
  /** The worker's index of each call, to the call's place here (0, 1, ... in the order calls began). */
  private readonly places = new Map<number, number>();

  /** Takes one piece; returns the call's place, and its id and name when this piece began the call. */
  public add(piece: ToolCallDelta): { index: number; id?: string; name?: string; text: string } {
    const text = piece.function?.arguments ?? '';
    // The tools protocol always numbers pieces; one without a number is taken as the first call's.
    const workerIndex = typeof piece.index === 'number' ? piece.index : 0;
    const place = this.places.get(workerIndex);
    if (place !== undefined) {
      this.calls[place].arguments += text;
      return { index: place, text };
    }
    // vLLM's `chatcmpl-tool-<hex>` ids are ids Bedrock takes; anything else is replaced.
    const id = piece.id && TOOL_IDENTIFIER.test(piece.id) ? piece.id : `tooluse_${randomBytes(12).toString('hex')}`;
    const name = piece.function?.name ?? '';
    const index = this.calls.length;
    this.places.set(workerIndex, index);
    this.calls.push({ id, name, arguments: text });
    return { index, id, name, text };
  }

  public get size(): number {
    return this.calls.length;
  }

  /** The calls with their arguments parsed; a call whose arguments are not a JSON object has no `input`. */
  public completed(): CompletedToolCall[] {
    return this.calls.map((call) => {
      const input = parseArguments(call.arguments);
      return input ? { ...call, input } : { ...call };
    });
  }
}

/** Arguments as a JSON object; empty arguments are an empty object (a call of a tool without parameters). */
function parseArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
