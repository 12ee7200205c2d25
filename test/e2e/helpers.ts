import { BedrockRuntimeClient, ConverseStreamOutput, Message } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** The two ways the official client reaches the endpoint. */
export const TRANSPORTS = ['http2 (default handler)', 'http1.1 (NodeHttpHandler)'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** The official client pointed at a local endpoint, as the README tells users to build it. */
export function bedrockClient(endpoint: string, transport: Transport = TRANSPORTS[0]): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // One attempt: error tests check names quickly instead of waiting out the SDK's retries.
    maxAttempts: 1,
    ...(transport === TRANSPORTS[1] ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}

export function userSays(text: string): Message[] {
  return [{ role: 'user', content: [{ text }] }];
}

/** The event names of a ConverseStream, in order, and the text its deltas spell. */
export async function readConverseStream(stream: AsyncIterable<ConverseStreamOutput>) {
  const events: string[] = [];
  let text = '';
  let metadata: ConverseStreamOutput.MetadataMember['metadata'] | undefined;
  let stopReason: string | undefined;
  for await (const event of stream) {
    const name = Object.keys(event).find((key) => (event as unknown as Record<string, unknown>)[key] !== undefined)!;
    events.push(name);
    if (event.contentBlockDelta) text += event.contentBlockDelta.delta?.text ?? '';
    if (event.messageStop) stopReason = event.messageStop.stopReason;
    if (event.metadata) metadata = event.metadata;
  }
  return { events, text, metadata, stopReason };
}

/**
 * Resolves once `condition` holds, polling; fails after `ms` so a test never hangs. The default is
 * a bound on a hang, generous for a loaded machine: what it waits for normally takes milliseconds.
 */
export async function eventually(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Every event of a ConverseStream, as the client decoded it (name and payload), in order. */
export async function streamEvents(stream: AsyncIterable<ConverseStreamOutput>): Promise<Array<{ name: string; payload: any }>> {
  const events: Array<{ name: string; payload: any }> = [];
  for await (const event of stream) {
    const name = Object.keys(event).find((key) => (event as unknown as Record<string, unknown>)[key] !== undefined)!;
    events.push({ name, payload: (event as unknown as Record<string, unknown>)[name] });
  }
  return events;
}
