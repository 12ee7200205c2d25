import { BedrockGateway } from '../../../lib/runtime/bedrock/gateway';
import { readBody } from '../../../lib/runtime/http/http-types';
import { FetchFunction, WorkerResponse } from '../../../lib/runtime/routing/fetch-function';

// A decode endpoint that streams no usage chunk (an OpenAI-compatible API that ignores
// stream_options.include_usage): the usage the client sees must still count the prompt.
const PREFILL_URL = 'http://127.0.0.1:1';
const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const workers: FetchFunction = async (url): Promise<WorkerResponse> => {
  if (url.startsWith(PREFILL_URL)) {
    const answer = {
      id: 'cmpl-1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'A' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21 },
      kv_transfer_params: { do_remote_prefill: true, do_remote_decode: false, remote_engine_id: 'e', remote_request_id: 'r', remote_block_ids: [0] },
    };
    return { status: 200, ok: true, json: async () => answer, body: null };
  }
  const stream = event({ id: 'c', choices: [{ index: 0, delta: { content: 'one' }, finish_reason: null }] }) +
    event({ id: 'c', choices: [{ index: 0, delta: { content: ' two' }, finish_reason: null }] }) +
    event({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: null }] }) +
    'data: [DONE]\n\n';
  const body = Object.assign((async function* () { yield Buffer.from(stream); })(), { cancel: async () => undefined });
  return { status: 200, ok: true, json: async () => ({}), body };
};

test('without a usage chunk from decode, Converse usage takes the prompt tokens from the prefill answer', async () => {
  const gateway = new BedrockGateway({
    registry: {
      models: [{ modelIds: ['m'], prefillUrls: [PREFILL_URL], prefillModel: 'p', decode: { url: 'http://127.0.0.1:2', model: 'd', canIngestKv: true }, contextWindow: 1000, maxOutputTokens: 100 }],
    },
    fetch: workers,
    telemetry: () => undefined,
  });
  const body = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
  const answer = await gateway.handle({ method: 'POST', path: '/model/m/converse', headers: {}, body, signal: new AbortController().signal });
  const json = JSON.parse(Buffer.from(await readBody(answer.body)).toString());
  expect(json.output.message.content[0].text).toBe('one two');
  // The prefix-cache fields are there, honestly 0: this endpoint reported no cached tokens.
  expect(json.usage).toEqual({ inputTokens: 20, outputTokens: 2, totalTokens: 22, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
});
