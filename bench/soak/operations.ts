import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';

/**
 * The five Bedrock operations as a soak calls them through the official client, each checking
 * that its answer is whole: a stream must end with its closing events, a body must carry its
 * usage. An answer that merely stopped is a failure, not a success.
 */
export const MODEL_ID = 'us.meta.llama3-3-70b-instruct-v1:0';
const PROMPT = 'Explain disaggregated inference: prefill on Trainium, decode on a CS-3.';
const MAX_TOKENS = 24;
const messages = [{ role: 'user' as const, content: [{ text: PROMPT }] }];
const nativeBody = JSON.stringify({ prompt: PROMPT, max_gen_len: MAX_TOKENS });

export interface Call {
  readonly client: BedrockRuntimeClient;
  readonly signal: AbortSignal;
  /** For streams: called once the first content has arrived (a client that leaves mid-stream aborts here). */
  readonly onFirstContent: () => void;
}

export interface Operation {
  readonly name: string;
  readonly streams: boolean;
  run(call: Call): Promise<void>;
}

class IncompleteAnswer extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'IncompleteAnswer';
  }
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new IncompleteAnswer(what);
}

export const OPERATIONS: readonly Operation[] = [
  {
    name: 'Converse',
    streams: false,
    async run({ client, signal }) {
      const answer = await client.send(new ConverseCommand({ modelId: MODEL_ID, messages, inferenceConfig: { maxTokens: MAX_TOKENS } }), { abortSignal: signal });
      check(!!answer.output?.message?.content?.[0]?.text && (answer.usage?.outputTokens ?? 0) > 0 && !!answer.stopReason, 'Converse answer without text, usage or stop reason');
    },
  },
  {
    name: 'ConverseStream',
    streams: true,
    async run({ client, signal, onFirstContent }) {
      const response = await client.send(new ConverseStreamCommand({ modelId: MODEL_ID, messages, inferenceConfig: { maxTokens: MAX_TOKENS } }), { abortSignal: signal });
      let deltas = 0;
      let stopped = false;
      let usage = 0;
      for await (const event of response.stream!) {
        if (event.contentBlockDelta && deltas++ === 0) onFirstContent();
        if (event.messageStop) stopped = true;
        if (event.metadata) usage = event.metadata.usage?.outputTokens ?? 0;
      }
      check(deltas > 0 && stopped && usage > 0, `ConverseStream ended without its closing events (deltas ${deltas}, messageStop ${stopped}, usage ${usage})`);
    },
  },
  {
    name: 'InvokeModel',
    streams: false,
    async run({ client, signal }) {
      const answer = await client.send(new InvokeModelCommand({ modelId: MODEL_ID, body: nativeBody, contentType: 'application/json' }), { abortSignal: signal });
      const body = JSON.parse(Buffer.from(answer.body).toString('utf8'));
      check(typeof body.generation === 'string' && body.generation_token_count > 0, 'InvokeModel answer without its generation');
    },
  },
  {
    name: 'InvokeModelWithResponseStream',
    streams: true,
    async run({ client, signal, onFirstContent }) {
      const response = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL_ID, body: nativeBody, contentType: 'application/json' }), { abortSignal: signal });
      let chunks = 0;
      let metrics = false;
      for await (const event of response.body!) {
        if (!event.chunk?.bytes) continue;
        if (chunks++ === 0) onFirstContent();
        metrics ||= 'amazon-bedrock-invocationMetrics' in JSON.parse(Buffer.from(event.chunk.bytes).toString('utf8'));
      }
      check(chunks > 0 && metrics, `InvokeModelWithResponseStream ended without its invocation metrics (chunks ${chunks})`);
    },
  },
  {
    name: 'CountTokens',
    streams: false,
    async run({ client, signal }) {
      const answer = await client.send(new CountTokensCommand({ modelId: MODEL_ID, input: { converse: { messages } } }), { abortSignal: signal });
      check((answer.inputTokens ?? 0) > 0, 'CountTokens answer without a count');
    },
  },
];
