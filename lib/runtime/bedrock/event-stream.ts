import { EventStreamCodec, MessageHeaders } from '@smithy/eventstream-codec';
import { BedrockError } from './errors';

/**
 * Frames of `application/vnd.amazon.eventstream`, the binary framing of Bedrock's streamed
 * answers (prelude, headers, payload, CRC32s), encoded with the same codec the client decodes with.
 */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

function stringHeaders(values: Record<string, string>): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(values)) headers[name] = { type: 'string', value };
  return headers;
}

/** One event, e.g. `contentBlockDelta` or `chunk`, with a JSON payload. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: stringHeaders({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }),
    body: Buffer.from(JSON.stringify(payload), 'utf8'),
  });
}

/** An in-stream exception; the client raises it as the typed error named by `:exception-type`. */
export function exceptionFrame(error: BedrockError): Uint8Array {
  return codec.encode({
    headers: stringHeaders({
      ':exception-type': error.type.streamExceptionType,
      ':content-type': 'application/json',
      ':message-type': 'exception',
    }),
    body: Buffer.from(JSON.stringify({ message: error.message }), 'utf8'),
  });
}
