import { createHash } from 'node:crypto';
import { ChatMessage } from '../runtime/openai/worker-protocol';

/**
 * The mock workers' tokenizer and chat template. Not Llama's BPE, but deterministic and
 * shared by every mock endpoint (`/tokenize`, prefill and decode usage), so CountTokens and
 * the usage a Converse answer reports always agree, as they do with vLLM's real tokenizer.
 * A token is a special marker (`<|eot_id|>`), a run of letters or digits, or one other character.
 */
const TOKEN = /<\|[a-z_]+\|>|[\p{L}\p{N}]+|[^\p{L}\p{N}\s]/gu;

/** Llama 3's vocabulary size: token ids fall below it. */
const VOCABULARY = 128_256;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** Llama 3's chat template, as vLLM applies it to `messages` (with the generation prompt). */
export function renderChat(messages: readonly ChatMessage[]): string {
  const turns = messages.map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content}<|eot_id|>`).join('');
  return `<|begin_of_text|>${turns}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

export type MockPrompt = { readonly messages: readonly ChatMessage[] } | { readonly prompt: string };

/** A prompt's token ids: the chat template applied to `messages`, a raw `prompt` as is. */
export function promptTokenIds(prompt: MockPrompt): number[] {
  const text = 'messages' in prompt ? renderChat(prompt.messages) : prompt.prompt;
  return tokenize(text).map(tokenId);
}

function tokenId(token: string): number {
  // FNV-1a: a stable id per token string.
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193) >>> 0;
  return hash % VOCABULARY;
}

/** A digest of the token ids: what ties a KV blob to the prompt it was computed from. */
export function promptDigest(tokenIds: readonly number[]): Buffer {
  return createHash('sha256').update(Uint32Array.from(tokenIds)).digest();
}
