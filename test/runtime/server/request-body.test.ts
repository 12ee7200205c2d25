import * as http2 from 'node:http2';
import * as net from 'node:net';
import { heapAfterGc } from '../../../bench/soak/heap';
import { HttpHandler } from '../../../lib/runtime/http/http-types';
import { RunningServer, startNodeServer } from '../../../lib/runtime/server/node-server';
import { eventually } from '../../e2e/helpers';

/**
 * Request bodies that never end, over raw sockets and raw HTTP/2 frames (the official client
 * always sends its body whole, so it cannot show this): one time limit for both protocols, and
 * an allowance of body bytes one connection may have buffered at once.
 */
const encoder = new TextEncoder();
const KiB = 1024;
const MiB = 1024 * KiB;
/** Bounds hangs only. */
const HANG_MS = 20_000;

const echo: HttpHandler = async (request) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: encoder.encode(`{"bytes":${request.body.length}}`) });

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});
async function serve(options = {}): Promise<RunningServer> {
  const server = await startNodeServer(echo, options);
  servers.push(server);
  return server;
}

interface Answer {
  status: number;
  body: string;
}

/**
 * An HTTP/2 POST that sends `bytes` of body, then never ends it; `answer` resolves with the
 * server's complete answer (END_STREAM), `sent` once the bytes are out.
 */
function endlessH2Body(session: http2.ClientHttp2Session, bytes: number, chunk = Buffer.alloc(16 * KiB, 120)): { answer: Promise<Answer>; sent: Promise<void> } {
  const stream = session.request({ ':method': 'POST', ':path': '/x' });
  let status = 0;
  let body = '';
  stream.on('response', (headers) => (status = Number(headers[':status'])));
  stream.on('data', (data: Buffer) => (body += data.toString()));
  const answer = new Promise<Answer>((resolve) => {
    stream.on('end', () => resolve({ status, body }));
    stream.on('close', () => resolve({ status, body }));
  });
  stream.on('error', () => undefined);
  const sent = (async () => {
    for (let written = 0; written < bytes && !stream.destroyed; written += chunk.length) {
      // The callback comes once HTTP/2 flow control let the chunk go: the server took it (or the stream went).
      await new Promise<void>((resolve) => stream.write(chunk, () => resolve()));
    }
  })();
  return { answer, sent };
}

async function within<T>(promise: Promise<T>, ms = HANG_MS): Promise<T | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a request body that never ends is answered 408 at bodyTimeoutMs and what it arrived on is closed', () => {
  test('over HTTP/2: the stream, and the session serves the next request', async () => {
    const server = await serve({ bodyTimeoutMs: 500 });
    const session = http2.connect(server.url);
    session.on('error', () => undefined);
    const { answer } = endlessH2Body(session, 64 * KiB);
    const outcome = await within(answer);
    expect(outcome).toEqual({ status: 408, body: JSON.stringify({ message: 'The request body did not arrive within 500 ms.' }) });
    // The server's side of the stream is closed (RST_STREAM NO_ERROR): nothing of it is held.
    await eventually(() => server.activeRequests === 0 && server.bufferedBodyBytes === 0, HANG_MS);
    const good = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/x' });
      let body = '';
      stream.on('data', (data: Buffer) => (body += data.toString()));
      stream.on('end', () => resolve(body));
      stream.on('error', reject);
      stream.end('abc');
    });
    expect(JSON.parse(good)).toEqual({ bytes: 3 });
    session.close();
  });

  test('over HTTP/1.1 (a body shorter than its content-length): the connection', async () => {
    const server = await serve({ bodyTimeoutMs: 500 });
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\nonly this'));
    let received = '';
    socket.on('data', (data) => (received += data.toString()));
    socket.on('error', () => undefined);
    expect(await within(new Promise((resolve) => socket.on('close', () => resolve('closed'))))).toBe('closed');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('The request body did not arrive within 500 ms.');
    await eventually(() => server.activeRequests === 0, HANG_MS);
  });
});

test('one HTTP/2 connection cannot buffer more than maxConnectionBodyBytes: streams past it are answered 429 and closed', async () => {
  // 64 streams of 1 MiB that never end, on one session: 64 MiB buffered unless the allowance (8 MiB here) holds.
  const server = await serve({ maxBodyBytes: 2 * MiB, maxConnectionBodyBytes: 8 * MiB, bodyTimeoutMs: 60_000 });
  const session = http2.connect(server.url);
  session.on('error', () => undefined);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, server.bufferedBodyBytes)), 1);
  const before = (heapAfterGc(), process.memoryUsage().arrayBuffers);
  const streams = Array.from({ length: 64 }, () => endlessH2Body(session, MiB));
  const refused: number[] = [];
  for (const stream of streams) void stream.answer.then((answer) => answer.status === 429 && refused.push(answer.status));
  // Every stream has either sent its megabyte (the server took it: flow control) or been answered.
  expect(await within(Promise.all(streams.map((s) => Promise.race([s.sent, s.answer]))))).not.toBe('hung');
  // At most 8 streams can hold their megabyte within the allowance: every other one is refused.
  await eventually(() => refused.length >= 64 - 8, HANG_MS);
  heapAfterGc();
  const held = process.memoryUsage().arrayBuffers - before;
  clearInterval(sampler);
  expect(peak).toBeLessThanOrEqual(8 * MiB);
  // What the process holds in buffers follows the allowance, not the 64 MiB sent (generous slack for the client's own).
  expect(held).toBeLessThan(24 * MiB);
  session.destroy();
  await eventually(() => server.bufferedBodyBytes === 0 && server.activeRequests === 0, HANG_MS);
}, 60_000);

test('maxConnectionBodyBytes must leave room for one body of the largest accepted size', async () => {
  await expect(startNodeServer(echo, { maxBodyBytes: 1000, maxConnectionBodyBytes: 1000 })).rejects.toThrow(
    'maxConnectionBodyBytes (1000) must be more than maxBodyBytes (1000), so one request of any accepted size fits.',
  );
});
