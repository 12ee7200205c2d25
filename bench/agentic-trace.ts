/**
 * A multi-turn agentic trace (issue 10's benchmark shape, after SemiAnalysis' coding-agent figures:
 * large inputs seen mostly on the turn before, short outputs): every conversation opens with the
 * same system prompt and tool definitions, and each turn adds a tool's output and gets a short
 * answer, which the next turn carries in its history. Deterministic from its seed.
 *
 * The tool outputs come as user text (words that name no tool), so the mock model answers in text
 * and the trace needs no tool-call bookkeeping; for the prefix caches and the router a tool result
 * and a user message are the same: more tokens at the end of the history.
 */
import { seededRandom } from '../lib/planning/simulation/random';

export interface AgenticTraceOptions {
  /** @default 32 */
  readonly conversations?: number;
  /** @default 20 */
  readonly turns?: number;
  /** Words (one mock token each) of the shared system prompt; the tool definitions add about 2,000 tokens. @default 6000 */
  readonly systemTokens?: number;
  /** Range of the tokens each turn's tool output adds. @default [500, 3000] */
  readonly toolOutputTokens?: readonly [number, number];
  /** Range of each turn's answer length (its maxTokens; the mock answers that long). @default [100, 300] */
  readonly outputTokens?: readonly [number, number];
  /** @default 1 */
  readonly seed?: number;
}

/** A Converse message, as JSON. */
export interface TraceMessage {
  readonly role: 'user' | 'assistant';
  readonly content: Array<{ text: string }>;
}

/** What each turn of one conversation adds: the tool output it sends and the answer length it asks for. */
export interface TraceTurn {
  readonly toolOutput: string;
  readonly maxTokens: number;
}

export interface TraceConversation {
  readonly turns: readonly TraceTurn[];
}

/** The Converse fields every request of the trace shares: the system prompt and the tools. */
export interface SharedPrefix {
  readonly system: Array<{ text: string }>;
  readonly toolConfig: { tools: Array<{ toolSpec: { name: string; description: string; inputSchema: { json: Record<string, unknown> } } }> };
}

/** One turn's Converse body, as JSON. */
export interface TurnBody extends SharedPrefix {
  readonly messages: TraceMessage[];
  readonly inferenceConfig: { maxTokens: number };
}

export interface AgenticTrace {
  /** The part of every request all conversations share. */
  readonly shared: SharedPrefix;
  readonly conversations: readonly TraceConversation[];
}

const TOOL_NAMES = ['read_file', 'write_file', 'list_directory', 'search_code', 'run_tests', 'run_shell', 'git_diff', 'git_log', 'open_url', 'edit_range', 'find_symbol', 'format_code'];

/** Letters only, so each word is one mock token and none names a tool (tool names have an underscore). */
function wordsFrom(random: () => number, count: number): string {
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = 3 + Math.floor(random() * 7);
    let word = '';
    for (let j = 0; j < length; j++) word += String.fromCharCode(97 + Math.floor(random() * 26));
    words.push(word);
  }
  return words.join(' ');
}

function between(random: () => number, [low, high]: readonly [number, number]): number {
  return low + Math.floor(random() * (high - low + 1));
}

export function agenticTrace(options: AgenticTraceOptions = {}): AgenticTrace {
  const random = seededRandom(options.seed ?? 1);
  const tools = TOOL_NAMES.map((name) => ({
    toolSpec: {
      name,
      description: wordsFrom(random, 120),
      inputSchema: { json: { type: 'object', properties: { target: { type: 'string', description: wordsFrom(random, 20) } }, required: ['target'] } },
    },
  }));
  const shared: SharedPrefix = { system: [{ text: wordsFrom(random, options.systemTokens ?? 6000) }], toolConfig: { tools } };
  const conversations = Array.from({ length: options.conversations ?? 32 }, () => ({
    turns: Array.from({ length: options.turns ?? 20 }, () => ({
      toolOutput: wordsFrom(random, between(random, options.toolOutputTokens ?? [500, 3000])),
      maxTokens: between(random, options.outputTokens ?? [100, 300]),
    })),
  }));
  return { shared, conversations };
}

/** The Converse body of a conversation's next turn: the shared prefix, the history so far, and this turn's tool output. */
export function turnRequest(trace: AgenticTrace, history: readonly TraceMessage[], turn: TraceTurn): { body: TurnBody; messages: TraceMessage[] } {
  const messages: TraceMessage[] = [...history, { role: 'user', content: [{ text: turn.toolOutput }] }];
  return { body: { ...trace.shared, messages, inferenceConfig: { maxTokens: turn.maxTokens } }, messages };
}
