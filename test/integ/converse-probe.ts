/**
 * The integ test's probe, a Lambda function in the assertion stack: calls the deployed API as a
 * client would (the library's client helper: SigV4 for execute-api, HTTP/1.1), one Converse and one
 * ConverseStream, and reports what came back for the assertion to match. (integ-tests-alpha's
 * httpApiCall sends unsigned requests, which an IAM-authorized API refuses.)
 */
import { ConverseCommand, ConverseStreamCommand, type Message } from '@aws-sdk/client-bedrock-runtime';
import { createInvocationClient } from '../../lib/client';

/** What the probe saw. */
export interface ProbeReport {
  readonly converse: { readonly stopReason?: string; readonly text: string; readonly usageAddsUp: boolean };
  readonly converseStream: {
    /** Event kinds in order, repeats of a kind folded into one. */
    readonly events: string[];
    readonly stopReason?: string;
    /** The mock answers a prompt the same way every time: the stream carries the Converse answer's text. */
    readonly sameTextAsConverse: boolean;
  };
}

export async function handler(): Promise<ProbeReport> {
  const client = createInvocationClient({ apiUrl: process.env.API_URL!, region: process.env.AWS_REGION! });
  const modelId = process.env.MODEL_ID!;
  const messages: Message[] = [{ role: 'user', content: [{ text: 'Explain disaggregated inference in one sentence.' }] }];
  const inferenceConfig = { maxTokens: 24 };

  const answer = await client.send(new ConverseCommand({ modelId, messages, inferenceConfig }));
  const text = answer.output?.message?.content?.map((block) => block.text ?? '').join('') ?? '';
  const usage = answer.usage;

  const stream = await client.send(new ConverseStreamCommand({ modelId, messages, inferenceConfig }));
  const events: string[] = [];
  let streamed = '';
  let streamStop: string | undefined;
  for await (const event of stream.stream!) {
    const kind = Object.entries(event).find(([, value]) => value !== undefined)?.[0] ?? 'unknown';
    if (events[events.length - 1] !== kind) events.push(kind);
    streamed += event.contentBlockDelta?.delta?.text ?? '';
    streamStop = event.messageStop?.stopReason ?? streamStop;
  }
  return {
    converse: {
      stopReason: answer.stopReason,
      text,
      usageAddsUp: !!usage && usage.inputTokens! > 0 && usage.outputTokens! > 0 && usage.inputTokens! + usage.outputTokens! === usage.totalTokens,
    },
    converseStream: { events, stopReason: streamStop, sameTextAsConverse: text.length > 0 && streamed === text },
  };
}
