import type { AnswerBlock } from '../routing/collect-answer';
import type { GenerationEnd } from '../routing/generation';
import { bedrockUsage } from './token-usage';

/** The Converse answer's shapes: content blocks, usage, and the fields both Converse and ConverseStream end with. */

/** A tool call's `toolUse` block; arguments that are not a JSON object stay the model's text (stop reason malformed_tool_use). */
function toolUse(end: GenerationEnd, index: number) {
  const call = end.toolCalls[index];
  return { toolUse: { toolUseId: call.id, name: call.name, input: call.input ?? call.arguments } };
}

function contentBlock(block: AnswerBlock, end: GenerationEnd) {
  switch (block.kind) {
    case 'text':
      return { text: block.text };
    case 'reasoning':
      // gpt-oss and Qwen3 reasoning comes without a signature (Bedrock refuses one sent back for gpt-oss).
      return { reasoningContent: { reasoningText: { text: block.text } } };
    default:
      return toolUse(end, block.index);
  }
}

export function converseResponse(blocks: readonly AnswerBlock[], end: GenerationEnd, latencyMs: number) {
  const content = blocks.map((block) => contentBlock(block, end));
  return {
    // An answer with no output at all still has its (empty) text block.
    output: { message: { role: 'assistant', content: content.length > 0 ? content : [{ text: '' }] } },
    stopReason: end.stopReason,
    usage: bedrockUsage(end),
    metrics: { latencyMs: Math.round(latencyMs) },
    performanceConfig: { latency: end.latency },
  };
}
