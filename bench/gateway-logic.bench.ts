/**
 * CPU of the gateway's own logic per Converse, without HTTP (`npx tsx bench/gateway-logic.bench.ts`):
 * BedrockGateway.handle in-process, with workers stubbed by canned answers of the mock workers'
 * shape (prefill JSON, a 16-token SSE stream). Set beside the gateway's CPU per request in
 * bench/profile.ts, it splits the gateway's cost into its logic and the HTTP exchanges.
 * Not a test: it prints figures.
 */
import { BedrockGateway } from '../lib/runtime/bedrock/gateway';
import { FetchFunction, WorkerResponse } from '../lib/runtime/routing/fetch-function';
import { ANSWER_TOKENS, PROMPT } from './load';

const PREFILL_URL = 'http://127.0.0.1:1';
const prefillAnswer = JSON.stringify({
  id: 'cmpl-1',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Prefill' }, finish_reason: 'length' }],
  usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21 },
  kv_transfer_params: { do_remote_prefill: true, do_remote_decode: false, remote_engine_id: 'e', remote_request_id: 'r', remote_block_ids: [0, 1], remote_host: '127.0.0.1', remote_port: 1 },
});
const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const decodeStream = Buffer.from(
  event({ id: 'c', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }) +
    Array.from({ length: ANSWER_TOKENS }, (_, i) => event({ id: 'c', choices: [{ index: 0, delta: { content: ` word${i}` }, finish_reason: null }] })).join('') +
    event({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'length', stop_reason: null }] }) +
    event({ id: 'c', choices: [], usage: { prompt_tokens: 20, completion_tokens: ANSWER_TOKENS, total_tokens: 20 + ANSWER_TOKENS } }) +
    'data: [DONE]\n\n',
);

/** Answers like the mock workers, from memory; it reads the request body as a worker would. */
const stubWorkers: FetchFunction = async (url, init): Promise<WorkerResponse> => {
  JSON.parse(Buffer.from(init.body as Uint8Array).toString('utf8'));
  if (url.startsWith(PREFILL_URL)) return { status: 200, ok: true, json: async () => JSON.parse(prefillAnswer), body: null };
  const body = Object.assign((async function* () { yield decodeStream; })(), { cancel: async () => undefined });
  return { status: 200, ok: true, json: async () => ({}), body };
};

async function main(): Promise<void> {
  const gateway = new BedrockGateway({
    registry: {
      models: [{ modelIds: ['m'], prefillUrls: [PREFILL_URL], prefillModel: 'p', decode: { url: 'http://127.0.0.1:2', model: 'd', canIngestKv: true }, contextWindow: 128_000, maxOutputTokens: 4096 }],
    },
    fetch: stubWorkers,
    // The log line is built as always; where it goes (stdout) is the HTTP side's business here.
    telemetry: () => undefined,
  });
  const body = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: [{ text: PROMPT }] }], inferenceConfig: { maxTokens: ANSWER_TOKENS } }));
  const run = async (requests: number) => {
    for (let i = 0; i < requests; i++) {
      const answer = await gateway.handle({ method: 'POST', path: '/model/m/converse', headers: { 'content-type': 'application/json' }, body, signal: new AbortController().signal });
      if (answer.status !== 200) throw new Error(`the gateway answered ${answer.status}`);
    }
  };
  await run(5000);
  const requests = 30_000;
  const before = process.cpuUsage();
  await run(requests);
  const cpu = process.cpuUsage(before);
  console.log(`Gateway and router logic per Converse, workers stubbed in memory (no HTTP): ${((cpu.user + cpu.system) / requests).toFixed(0)} us CPU`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
