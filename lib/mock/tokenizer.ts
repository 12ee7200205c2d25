import { createHash } from 'node:crypto';
import { ChatMessage, ToolDefinition } from '../runtime/openai/worker-protocol';

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

/**
 * Text cut into the pieces a model would stream: one token each, with the white space before it,
 * so the pieces join back into the text and re-tokenizing the text gives as many tokens.
 */
export function tokenPieces(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const match of text.matchAll(TOKEN)) {
    const end = match.index! + match[0].length;
    pieces.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length && pieces.length > 0) pieces[pieces.length - 1] += text.slice(start);
  return pieces;
}

function turn(role: string, content: string): string {
  return `<|start_header_id|>${role}<|end_header_id|>\n\n${content}<|eot_id|>`;
}

/** One message as Llama 3.1's template writes it: tool calls as JSON, tool results in the `ipython` role. */
function renderMessage(message: ChatMessage): string {
  switch (message.role) {
    case 'tool':
      return turn('ipython', message.content);
    case 'assistant': {
      const calls = (message.tool_calls ?? []).map((call) => `{"name": "${call.function.name}", "parameters": ${call.function.arguments}}`);
      return turn('assistant', [message.content ?? '', ...calls].join(''));
    }
    default:
      return turn(message.role, message.content);
  }
}

/** The template's text of the tools and `messages`, without the generation prompt that ends a whole chat. */
function renderConversation(messages: readonly ChatMessage[], tools?: readonly ToolDefinition[]): string {
  const toolTurn = tools && tools.length > 0 ? turn('system', `Tools: ${JSON.stringify(tools)}`) : '';
  return `<|begin_of_text|>${toolTurn}${messages.map(renderMessage).join('')}`;
}

/** Llama 3's chat template, as vLLM applies it to `messages` (the tools as JSON, then the generation prompt). */
export function renderChat(messages: readonly ChatMessage[], tools?: readonly ToolDefinition[]): string {
  return `${renderConversation(messages, tools)}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

/**
 * Tokens of a chat's prompt through its first `count` messages (the tools included): where a cache
 * hint's prefix ends. Each turn ends in a special marker, so these are the whole prompt's first tokens.
 */
export function chatPrefixTokenCount(messages: readonly ChatMessage[], tools: readonly ToolDefinition[] | undefined, count: number): number {
  return tokenize(renderConversation(messages.slice(0, count), tools)).length;
}

export type MockPrompt = { readonly messages: readonly ChatMessage[]; readonly tools?: readonly ToolDefinition[] } | { readonly prompt: string };

/** A prompt's token ids: the chat template applied to `messages` (and `tools`), a raw `prompt` as is. */
export function promptTokenIds(prompt: MockPrompt): number[] {
  const text = 'messages' in prompt ? renderChat(prompt.messages, prompt.tools) : prompt.prompt;
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
