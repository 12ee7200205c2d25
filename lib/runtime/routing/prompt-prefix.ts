import { chainedBlockHashes, chainHash, ROOT_BLOCK_HASH } from './block-hash';
import { isChat, type PromptInput } from './generation';

/**
 * Characters per router block: vLLM's 16-token block at llm-d's 4 characters per token (its
 * approximate prefix scorer's `cacheBlockSizeChars = blockSizeTokens * averageCharactersPerToken`,
 * pkg/epp/framework/plugins/requestcontrol/dataproducer/approximateprefix/hashing.go).
 */
export const ROUTER_BLOCK_CHARS = 64;

/** A prompt without turns (InvokeModel's raw text): this many characters open it. */
const RAW_OPENING_CHARS = 4096;

/**
 * A prompt as the router sees it for caching: the router has no tokenizer, so it names the blocks
 * of the request's characters instead of tokens (as llm-d's approximate scorer does). The text is
 * the tools and then each message, serialized in order, so a conversation's next turn starts with
 * this one's text and shares its blocks.
 */
export interface PromptPrefix {
  /** Chained names of the text's full blocks, in order. */
  readonly blocks: readonly number[];
  /** The text's length in characters. */
  readonly chars: number;
  /**
   * The conversation's name: a hash of its opening, the tools and messages through the first user
   * message (for a raw prompt, its first characters). Every later turn opens the same way.
   */
  readonly affinity: number;
}

export function promptPrefix(prompt: PromptInput): PromptPrefix {
  let text: string;
  let opening: number;
  if (isChat(prompt)) {
    text = JSON.stringify(prompt.tools ?? null);
    const firstUser = prompt.messages.findIndex((m) => m.role === 'user');
    opening = -1;
    prompt.messages.forEach((message, index) => {
      text += JSON.stringify(message);
      if (index === firstUser || (firstUser < 0 && index === prompt.messages.length - 1)) opening = text.length;
    });
    if (opening < 0) opening = text.length;
  } else {
    text = prompt.prompt;
    opening = Math.min(text.length, RAW_OPENING_CHARS);
  }
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  const blocks = chainedBlockHashes(codes, ROUTER_BLOCK_CHARS);
  const whole = Math.floor(opening / ROUTER_BLOCK_CHARS);
  const affinity = chainHash(whole > 0 ? blocks[whole - 1] : ROOT_BLOCK_HASH, codes, whole * ROUTER_BLOCK_CHARS, opening);
  return { blocks, chars: text.length, affinity };
}
