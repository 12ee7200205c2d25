import { ConverseStreamCommand, type ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { agenticTrace, turnRequest, type TraceMessage, type TurnBody } from '../../bench/agentic-trace';
import { MockCluster, MockClusterOptions, MockTiming, promptTokenIds, startMockCluster } from '../../lib/mock';
import { nodeFetch } from '../../lib/runtime/routing/node-fetch';
import { bedrockClient, readConverseStream } from './helpers';

// Acceptance 1 of issue 10, by behaviour (cached token counts and the routing decisions the log
// records), not by wall time: a conversation's later turns find its history in the caches of the
// workers the router sends them to, so the prefill computes (and realistic timing charges) only the
// new tokens; with a Trainium decode fleet, turns whose new part is short skip the prefill workers.

const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
const TIMEOUTS = { prefillMs: 20_000, firstTokenMs: 20_000, interTokenMs: 20_000, totalMs: 60_000 };

interface Usage {
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}
interface Turn {
  usage: Usage;
  /** The whole prompt, as the workers count it. */
  prompt: number;
  line: Record<string, unknown>;
  /** The answer's text. */
  text: string;
}

const clusters: MockCluster[] = [];
afterAll(async () => {
  for (const c of clusters) await c.close();
});

/** A cluster in realistic timing with 2 prefill and 2 decode workers, and a way to send a Converse body and read its usage and log line. */
async function cluster(options: MockClusterOptions = {}) {
  const logs: string[] = [];
  const c = await startMockCluster({
    timing: MockTiming.REALISTIC,
    prefillWorkers: 2,
    decodeWorkers: 2,
    answerTokens: 100_000,
    timeouts: TIMEOUTS,
    ...options,
    gateway: { telemetry: (line) => logs.push(line) },
  });
  clusters.push(c);
  const converse = async (body: object): Promise<Turn> => {
    const response = await nodeFetch(`${c.endpoint}/model/${encodeURIComponent(MODEL)}/converse`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const answer = (await response.json()) as { usage: Usage; output: { message: { content: Array<{ text: string }> } } };
    expect(response.status).toBe(200);
    const usage = answer.usage;
    const prompt = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheWriteInputTokens;
    return { usage, prompt, line: JSON.parse(logs[logs.length - 1]), text: answer.output.message.content[0].text };
  };
  return { c, converse, logs };
}

/** Sends the trace's one conversation turn by turn (each answer joins the history); the turns' usage, prompt size and log line. */
async function converseThrough(converse: (body: object) => Promise<Turn>, trace = smallTrace()) {
  let history: TraceMessage[] = [];
  const turns: Array<Turn & { body: TurnBody }> = [];
  for (const turn of trace.conversations[0].turns) {
    const { body, messages } = turnRequest(trace, history, turn);
    const answer = await converse(body);
    turns.push({ ...answer, body });
    history = [...messages, { role: 'assistant', content: [{ text: answer.text }] }];
  }
  return turns;
}

/** One conversation of 20 turns, small enough for a test: a 1,000-token shared prefix, 100-200 tokens of tool output a turn. */
const smallTrace = (extra: Partial<Parameters<typeof agenticTrace>[0]> = {}) =>
  agenticTrace({ conversations: 1, turns: 20, systemTokens: 1000, toolOutputTokens: [100, 200], outputTokens: [5, 10], ...extra });

describe('a 20-turn conversation on a CS-3 decode tier (always disaggregated)', () => {
  let turns: Array<Turn & { body: TurnBody }>;
  let again: Turn;
  let setup: Awaited<ReturnType<typeof cluster>>;
  beforeAll(async () => {
    setup = await cluster();
    turns = await converseThrough(setup.converse);
    again = await setup.converse(turns[19].body);
  }, 60_000);

  test('every turn after the first reads its history from the cache: the prefill computes only what the turn added', () => {
    expect(turns[0].usage.cacheReadInputTokens).toBe(0);
    for (let k = 1; k < 20; k++) {
      const added = turns[k].prompt - turns[k - 1].prompt;
      const uncached = turns[k].prompt - turns[k].usage.cacheReadInputTokens;
      expect(turns[k].usage.cacheReadInputTokens).toBeGreaterThan(0);
      // The previous turn's prompt is cached whole but for its partial last block (16 tokens).
      expect(uncached).toBeLessThanOrEqual(added + 16);
      expect(turns[k].line.CacheReadInputTokens).toBe(turns[k].usage.cacheReadInputTokens);
    }
  });

  test("turn 20 sent twice: the second finds all but its last block cached, on the same workers, remotely prefilled (a CS-3's threshold is 0)", () => {
    expect(again.prompt).toBe(turns[19].prompt);
    expect(again.usage.cacheReadInputTokens).toBeGreaterThan(again.prompt - 17);
    expect(again.line).toMatchObject({ Disaggregation: 'remote', DisaggregationThreshold: 0, PrefillWorker: turns[19].line.PrefillWorker, DecodeWorker: turns[19].line.DecodeWorker });
  });

  test("the conversation stays on one prefill and one decode worker (its cache's), and the workers' own counts agree with the answers", () => {
    expect(new Set(turns.map((t) => t.line.PrefillWorker)).size).toBe(1);
    expect(new Set(turns.map((t) => t.line.DecodeWorker)).size).toBe(1);
    const model = setup.c.models[0];
    const prefillCached = model.prefill.reduce((sum, p) => sum + p.worker.stats().cachedTokens, 0);
    expect(prefillCached).toBe([...turns, again].reduce((sum, t) => sum + t.usage.cacheReadInputTokens, 0));
    // The decode worker pulled only the blocks it lacked: far less than every prompt whole.
    const pulled = model.decodeWorkers.reduce((sum, d) => sum + d.worker.stats().pulledTokens, 0);
    const prompts = [...turns, again].reduce((sum, t) => sum + t.prompt, 0);
    expect(pulled).toBeLessThan(prompts / 5);
  });

  test('ConverseStream and InvokeModel report the cache reads too (the stream metadata, the InvokeModel headers)', async () => {
    // The trace's JSON is the wire shape; the SDK's types model its unions more strictly.
    const stream = await bedrockClient(setup.c.endpoint).send(new ConverseStreamCommand({ modelId: MODEL, ...turns[19].body } as ConverseStreamCommandInput));
    const { metadata } = await readConverseStream(stream.stream!);
    expect(metadata!.usage!.cacheReadInputTokens).toBeGreaterThan(again.prompt - 17);
    // A raw prompt (the system prompt's text) sent twice.
    const systemText = turns[19].body.system[0].text;
    const invoke = async () =>
      fetch(`${setup.c.endpoint}/model/${encodeURIComponent(MODEL)}/invoke`, {
        method: 'POST',
        body: JSON.stringify({ prompt: systemText, max_gen_len: 4 }),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      });
    const first = await invoke();
    expect(first.headers.get('x-amzn-bedrock-cache-read-input-token-count')).toBe('0');
    const second = await invoke();
    const read = Number(second.headers.get('x-amzn-bedrock-cache-read-input-token-count'));
    expect(read).toBeGreaterThan(900);
    expect(Number(second.headers.get('x-amzn-bedrock-input-token-count')) + read).toBe(promptTokenIds({ prompt: systemText }).length);
  });
});

describe('the same conversation on a Trainium decode fleet (conditional disaggregation, threshold from the timing rules)', () => {
  let turns: Array<Turn & { body: TurnBody }>;
  let again: Turn;
  let long: Turn;
  beforeAll(async () => {
    const { converse } = await cluster({ decodeInstanceType: 'trn2.48xlarge' });
    turns = await converseThrough(converse);
    again = await converse(turns[19].body);
    // A turn that adds more than the threshold: 3,000 tokens of tool output.
    const trace = smallTrace();
    const history = turns[19].body.messages;
    long = await converse(turnRequest(trace, [...history, { role: 'assistant', content: [{ text: 'ok' }] }], { toolOutput: 'data '.repeat(3000), maxTokens: 5 }).body);
  }, 60_000);

  test('the first turn, uncached, is prefilled remotely; the later ones, short of the threshold, go straight to the decode worker holding the conversation', () => {
    const threshold = turns[0].line.DisaggregationThreshold as number;
    expect(threshold).toBeGreaterThan(1000);
    expect(turns[0].line).toMatchObject({ Disaggregation: 'remote' });
    expect(turns[0].line.DecodeUncachedTokens).toBeGreaterThan(threshold);
    for (const turn of turns.slice(1)) {
      expect(turn.line).toMatchObject({ Disaggregation: 'local', DecodeWorker: turns[0].line.DecodeWorker });
      expect(turn.line.DecodeUncachedTokens).toBeLessThanOrEqual(threshold);
      expect(turn.line.PrefillWorker).toBeUndefined();
      // The decode worker's own cache served the history.
      expect(turn.usage.cacheReadInputTokens).toBeGreaterThan(turn.prompt - 400);
    }
  });

  test('turn 20 sent twice goes straight to decode with all but its last block cached; a turn adding 3,000 tokens is prefilled remotely', () => {
    expect(again.line).toMatchObject({ Disaggregation: 'local', DecodeWorker: turns[19].line.DecodeWorker });
    expect(again.usage.cacheReadInputTokens).toBeGreaterThan(again.prompt - 17);
    expect(long.line).toMatchObject({ Disaggregation: 'remote', DecodeWorker: turns[19].line.DecodeWorker });
    // The router's estimate of what the decode worker lacks (it counts characters, not tokens) is past the threshold.
    expect(long.line.DecodeUncachedTokens).toBeGreaterThan(long.line.DisaggregationThreshold as number);
    expect(long.usage.cacheReadInputTokens).toBeGreaterThan(0);
  });
});

test('a cachePoint keeps its prefix: the first request writes it (cacheWriteInputTokens), the next reads it', async () => {
  const { converse } = await cluster({ timing: MockTiming.NONE });
  const system = [{ text: 'word '.repeat(400) }, { cachePoint: { type: 'default' } }];
  const ask = (text: string) => converse({ system, messages: [{ role: 'user', content: [{ text }] }], inferenceConfig: { maxTokens: 4 } });
  const first = await ask('first question');
  expect(first.usage.cacheReadInputTokens).toBe(0);
  // The system prompt's whole blocks: about 400 tokens.
  expect(first.usage.cacheWriteInputTokens).toBeGreaterThan(380);
  const second = await ask('another question');
  expect(second.usage.cacheReadInputTokens).toBeGreaterThanOrEqual(first.usage.cacheWriteInputTokens);
  expect(second.usage.cacheWriteInputTokens).toBe(0);
});
