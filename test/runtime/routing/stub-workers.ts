import type { FetchFunction, WorkerResponse } from '../../../lib/runtime/routing/fetch-function';
import type { Delta, GenerationInput } from '../../../lib/runtime/routing/generation';
import { ModelRegistry } from '../../../lib/runtime/routing/registry';
import type { ModelRouteConfig } from '../../../lib/runtime/routing/registry-config';
import type { Router } from '../../../lib/runtime/routing/router';

/** Workers answered from memory, for the router's tests: what it sends each stage, and what it makes of the answers. */

export const PREFILL = ['http://127.0.0.1:1', 'http://127.0.0.1:2'];
export const DECODE = 'http://127.0.0.1:9';
export const OPTIMIZED_DECODE = 'http://127.0.0.1:8';

export const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
export const chunk = (delta: Record<string, unknown>, finish: string | null = null) => event({ id: 'c', choices: [{ index: 0, delta, finish_reason: finish }] });
export const token = (content: string) => chunk({ content });
export const finish = (reason: string, stopReason: string | null = null) =>
  event({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: reason, stop_reason: stopReason }] });

export interface Workers {
  /** The prompt tokens the prefill workers report. */
  promptTokens?: number;
  /** The prompt tokens the prefill workers report their prefix cache served. @default none reported */
  prefillCachedTokens?: number;
  /** Prefill workers that answer 503. */
  failing?: string[];
  /** Decode endpoints that answer with this status instead of a stream. */
  decodeStatus?: Record<string, number>;
  /** The decode stream, one string per network read. */
  reads?: string[];
  /**
   * Milliseconds between two parts of the decode stream arriving (0: all at once, read by read).
   * Parts arrive as on a socket: what arrives while nobody reads waits, and the next read returns all of it.
   */
  readGapMs?: number;
}

/** A socket-like body: the parts arrive `gap` ms apart; each read takes everything that arrived and waits for more if nothing did. */
function arriving(parts: string[], gap: number): AsyncGenerator<Buffer> {
  let arrived = '';
  let done = false;
  let wake: (() => void) | undefined;
  (async () => {
    for (const part of parts) {
      await new Promise((resolve) => setTimeout(resolve, gap));
      arrived += part;
      wake?.();
    }
    done = true;
    wake?.();
  })();
  return (async function* () {
    for (;;) {
      if (!arrived && !done) await new Promise<void>((resolve) => (wake = resolve));
      if (arrived) {
        const read = arrived;
        arrived = '';
        yield Buffer.from(read);
      } else if (done) return;
    }
  })();
}

export type Sent = Array<{ url: string; body: Record<string, unknown> }>;

export function workers(options: Workers, sent: Sent): FetchFunction {
  return async (url, init): Promise<WorkerResponse> => {
    const body = JSON.parse(Buffer.from(init.body as Uint8Array).toString('utf8')) as Record<string, unknown>;
    sent.push({ url, body });
    const worker = PREFILL.find((prefill) => url.startsWith(prefill));
    if (worker && options.failing?.includes(worker)) return { status: 503, ok: false, json: async () => ({}), body: null };
    if (worker) {
      const promptTokens = options.promptTokens ?? 20;
      const answer = {
        id: 'cmpl-1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'A' }, finish_reason: 'length' }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: 1,
          total_tokens: promptTokens + 1,
          ...(options.prefillCachedTokens !== undefined ? { prompt_tokens_details: { cached_tokens: options.prefillCachedTokens } } : {}),
        },
        kv_transfer_params: { do_remote_prefill: true, do_remote_decode: false, remote_engine_id: 'e', remote_request_id: 'r' },
      };
      return { status: 200, ok: true, json: async () => answer, body: null };
    }
    const status = Object.entries(options.decodeStatus ?? {}).find(([decode]) => url.startsWith(decode))?.[1];
    if (status) return { status, ok: false, json: async () => ({ error: { message: `busy at ${url}`, type: 'x', code: status } }), body: null };
    const reads = [...(options.reads ?? [token('one') + token(' two') + finish('stop')]), 'data: [DONE]\n\n'];
    const gap = options.readGapMs ?? 0;
    const parts =
      gap > 0
        ? arriving(reads, gap)
        : (async function* () {
            for (const read of reads) yield Buffer.from(read);
          })();
    const stream = Object.assign(parts, { cancel: async () => undefined });
    return { status: 200, ok: true, json: async () => ({}), body: stream };
  };
}

export function registryOf(overrides: Partial<ModelRouteConfig> = {}): ModelRegistry {
  return new ModelRegistry({
    models: [
      {
        modelIds: ['m'],
        prefillUrls: PREFILL,
        prefillModel: 'p',
        decode: { url: DECODE, model: 'd', canIngestKv: true },
        contextWindow: 1000,
        maxOutputTokens: 100,
        ...overrides,
      },
    ],
  });
}

export const registry = registryOf();

export const input = (maxTokens = 100, overrides: Partial<GenerationInput> = {}): GenerationInput => ({
  route: registry.find('m')!,
  prompt: { messages: [{ role: 'user', content: 'hi' }] },
  maxTokens,
  signal: new AbortController().signal,
  ...overrides,
});

/** Reads a whole generation: its deltas and how it ended. */
export async function run(router: Router, generationInput = input()) {
  const generation = await router.generate(generationInput);
  const deltas: Delta[] = [];
  let next = await generation.deltas.next();
  while (!next.done) {
    deltas.push(...next.value);
    next = await generation.deltas.next();
  }
  return { generation, deltas, end: next.value };
}
