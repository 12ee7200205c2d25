import * as zlib from 'node:zlib';
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

function eventHeaders(eventType: string): MessageHeaders {
  return stringHeaders({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' });
}

/** One event, e.g. `messageStart` or `metadata`, with a JSON payload. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({ headers: eventHeaders(eventType), body: Buffer.from(JSON.stringify(payload), 'utf8') });
}

/** Node's CRC32 (20.15 and later); the codec's JavaScript one is several times slower. */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
/** Prelude (total and headers length, prelude CRC) and the trailing message CRC. */
const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;
const encodedHeaders = new Map<string, Uint8Array>();

/**
 * One event whose payload is JSON text already, framed by hand: the same bytes as `eventFrame`,
 * for the frames sent once per output chunk (a contentBlockDelta per token), where the codec's
 * header encoding and JavaScript CRC32 would cost more than everything else the gateway does per
 * token. The header block of each event type is encoded once (by the codec) and kept.
 */
export function jsonEventFrame(eventType: string, json: string): Uint8Array {
  if (!crc32) return codec.encode({ headers: eventHeaders(eventType), body: Buffer.from(json, 'utf8') });
  let headers = encodedHeaders.get(eventType);
  if (!headers) {
    const sample = codec.encode({ headers: eventHeaders(eventType), body: new Uint8Array(0) });
    headers = sample.slice(PRELUDE_BYTES, sample.length - CRC_BYTES);
    encodedHeaders.set(eventType, headers);
  }
  const payloadBytes = Buffer.byteLength(json, 'utf8');
  const total = PRELUDE_BYTES + headers.length + payloadBytes + CRC_BYTES;
  const frame = Buffer.allocUnsafe(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(headers.length, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  frame.set(headers, PRELUDE_BYTES);
  frame.write(json, PRELUDE_BYTES + headers.length, payloadBytes, 'utf8');
  frame.writeUInt32BE(crc32(frame.subarray(0, total - CRC_BYTES)), total - CRC_BYTES);
  return frame;
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
