import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';

/**
 * Ways of reaching the server for the fuzz that the official client never takes: exact bytes
 * over HTTP/1.1 and HTTP/2, raw sockets that lie about their framing, hand-built HTTP/2 frames.
 * Every wait is bounded: past `hangMs` the outcome is 'hung'.
 */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export type Exchanged = Answer | 'closed' | 'hung';

function bounded<T>(hangMs: number, run: (resolve: (value: T | 'hung') => void) => () => void): Promise<T | 'hung'> {
  return new Promise((resolve) => {
    let cleanUp: () => void = () => undefined;
    const timer = setTimeout(() => {
      cleanUp();
      resolve('hung');
    }, hangMs);
    cleanUp = run((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** A POST over HTTP/1.1 (a fresh connection) with exactly this body. */
export function postH1(port: number, path: string, body: string | Buffer, hangMs: number, headers: Record<string, string> = {}): Promise<Exchanged> {
  return bounded(hangMs, (resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', () => resolve('closed'));
    });
    req.on('error', () => resolve('closed'));
    req.end(body);
    return () => req.destroy();
  });
}

/** A POST over an HTTP/2 session with exactly this body. */
export function postH2(session: http2.ClientHttp2Session, path: string, body: string | Buffer, hangMs: number): Promise<Exchanged> {
  return bounded(hangMs, (resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => {
      status = Number(received[':status']);
      headers = received;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks) }));
    stream.on('error', () => resolve('closed'));
    stream.end(body);
    return () => stream.destroy();
  });
}

/** What a raw socket got back: the status of every response in it, and whether the server closed it. */
export interface RawOutcome {
  readonly statuses: number[];
  readonly closed: boolean;
}

/**
 * Writes `bytes` on a new socket (then half-closes it, with `end`), and reads until the server
 * closes the connection, or, if it answered, until it has been quiet for a moment. 'hung' if
 * neither happens within `hangMs`: no answer and an open connection.
 */
export function rawExchange(port: number, bytes: Buffer, hangMs: number, end = false): Promise<RawOutcome | 'hung'> {
  return bounded(hangMs, (resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (end ? socket.end(bytes) : socket.write(bytes)));
    let received = '';
    let quiet: NodeJS.Timeout | undefined;
    const statuses = () => [...received.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      clearTimeout(quiet);
      quiet = setTimeout(() => resolve({ statuses: statuses(), closed: false }), 300);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(quiet);
      resolve({ statuses: statuses(), closed: true });
    });
    return () => {
      clearTimeout(quiet);
      socket.destroy();
    };
  });
}

// --- HTTP/2 frames by hand (RFC 9113 4.1, 6; HPACK RFC 7541) ---

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
export const FrameType = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0), lengthOverride?: number): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(lengthOverride ?? payload.length, 0, 3);
  header.writeUInt8(type, 3);
  header.writeUInt8(flags, 4);
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

/** An HPACK integer with an `prefixBits`-bit prefix (RFC 7541 5.1). */
function hpackInteger(value: number, prefixBits: number, firstByte: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [firstByte | value];
  const bytes = [firstByte | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

/** A header block of literal fields without indexing, new names, no Huffman coding (RFC 7541 6.2.2). */
export function headerBlock(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const bytes: number[] = [];
  for (const [name, value] of fields) {
    bytes.push(0x00);
    for (const text of [name, value]) {
      const encoded = Buffer.from(text, 'utf8');
      bytes.push(...hpackInteger(encoded.length, 7, 0x00), ...encoded);
    }
  }
  return Buffer.from(bytes);
}

export function requestHeaders(path: string, extra: ReadonlyArray<readonly [string, string]> = []): Buffer {
  return headerBlock([[':method', 'POST'], [':scheme', 'http'], [':authority', 'localhost'], [':path', path], ['content-type', 'application/json'], ...extra]);
}

export function settings(entries: ReadonlyArray<readonly [number, number]> = []): Buffer {
  const payload = Buffer.alloc(6 * entries.length);
  entries.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value >>> 0, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

/** What a raw HTTP/2 connection got back: the frame types the server sent, and whether it closed the connection. */
export interface FramesOutcome {
  readonly types: number[];
  readonly closed: boolean;
}

/**
 * Opens a connection with the preface and a SETTINGS frame, sends `frames`, and reads the
 * server's frames until it closes the connection or sends GOAWAY, or has been quiet for a moment
 * after answering; 'hung' if none of that within `hangMs`.
 */
export function rawH2(port: number, frames: Buffer, hangMs: number): Promise<FramesOutcome | 'hung'> {
  return bounded(hangMs, (resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.concat([PREFACE, settings(), frame(FrameType.SETTINGS, Flag.ACK, 0), frames])));
    let pending = Buffer.alloc(0);
    const types: number[] = [];
    let quiet: NodeJS.Timeout | undefined;
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 9 && pending.length >= 9 + pending.readUIntBE(0, 3)) {
        types.push(pending.readUInt8(3));
        pending = pending.subarray(9 + pending.readUIntBE(0, 3));
      }
      clearTimeout(quiet);
      // Answered (HEADERS or RST_STREAM) or shut (GOAWAY): give it a moment to finish, then done.
      if (types.some((t) => t === FrameType.HEADERS || t === FrameType.RST_STREAM || t === FrameType.GOAWAY)) {
        quiet = setTimeout(() => resolve({ types, closed: false }), 300);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(quiet);
      resolve({ types, closed: true });
    });
    return () => {
      clearTimeout(quiet);
      socket.destroy();
    };
  });
}
