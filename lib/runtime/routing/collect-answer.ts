import type { Generation, GenerationEnd } from './generation';

/**
 * A generation read to its end, for the answers given in one piece: its output as blocks in
 * order (consecutive pieces of one kind, and of one tool call, join into one block), and how it ended.
 */
export type AnswerBlock =
  | { readonly kind: 'text'; text: string }
  | { readonly kind: 'reasoning'; text: string }
  /** A tool call: its id, name and arguments are in `end.toolCalls[index]`. */
  | { readonly kind: 'toolCall'; readonly index: number };

export interface CollectedAnswer {
  readonly blocks: readonly AnswerBlock[];
  /** All answer text (the text blocks joined). */
  readonly text: string;
  readonly end: GenerationEnd;
}

export async function collectAnswer(generation: Generation): Promise<CollectedAnswer> {
  const blocks: AnswerBlock[] = [];
  let text = '';
  let last: AnswerBlock | undefined;
  let next = await generation.deltas.next();
  while (!next.done) {
    for (const delta of next.value) {
      if (delta.kind === 'toolCall') {
        if (last?.kind !== 'toolCall' || last.index !== delta.index) blocks.push((last = { kind: 'toolCall', index: delta.index }));
      } else {
        if (delta.kind === 'text') text += delta.text;
        if (last?.kind === delta.kind) last.text += delta.text;
        else blocks.push((last = { kind: delta.kind, text: delta.text }));
      }
    }
    next = await generation.deltas.next();
  }
  return { blocks, text, end: next.value };
}
