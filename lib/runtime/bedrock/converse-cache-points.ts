import type { ChatMessage, PrefixCacheHint } from '../openai/worker-protocol';
import { isObject } from './validation';

/** Bedrock's cachePoint TTLs: `5m` (the default) and `1h` (FACTS.md; the bedrock-runtime service model's CachePointBlock). */
const TTL_SECONDS: Record<string, number> = { '5m': 300, '1h': 3600 };

function hasCachePoint(blocks: unknown): { ttl: number } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  let found: { ttl: number } | undefined;
  for (const block of blocks) {
    if (isObject(block) && isObject(block.cachePoint)) {
      const ttl = block.cachePoint.ttl;
      found = { ttl: TTL_SECONDS[typeof ttl === 'string' ? ttl : '5m'] ?? TTL_SECONDS['5m'] };
    }
  }
  return found;
}

/**
 * The cache hint a Converse request's cachePoints give (checked already by the parsing): keep the
 * prompt's prefix through the last of them, for its TTL. The chat template renders the tools first,
 * then the system prompt and the messages, so a point among the tools keeps the tools, one in
 * `system` the system prompt too, one in message i everything through it. vLLM caches every prefix
 * on its own; the hint is what lets a worker keep this one ahead of others.
 */
export function prefixCacheHint(body: Record<string, unknown>, chat: readonly ChatMessage[], messageEnds: readonly number[]): PrefixCacheHint | undefined {
  let hint: PrefixCacheHint | undefined;
  const toolConfig = body.toolConfig;
  const inTools = isObject(toolConfig) ? hasCachePoint(toolConfig.tools) : undefined;
  if (inTools) hint = { messages: 0, ttl_seconds: inTools.ttl };
  const inSystem = hasCachePoint(body.system);
  if (inSystem) hint = { messages: chat[0]?.role === 'system' ? 1 : 0, ttl_seconds: inSystem.ttl };
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message, index) => {
    const inMessage = isObject(message) ? hasCachePoint(message.content) : undefined;
    if (inMessage) hint = { messages: messageEnds[index], ttl_seconds: inMessage.ttl };
  });
  return hint;
}
