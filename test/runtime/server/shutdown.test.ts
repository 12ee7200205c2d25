import * as http from 'node:http';
import * as http2 from 'node:http2';
import { HttpHandler, stoppedByServer } from '../../../lib/runtime/http/http-types';
import { RunningServer, startNodeServer } from '../../../lib/runtime/server/node-server';

/**
 * close() as SIGTERM runs it: requests in progress finish within the grace period, over HTTP/2 as
 * over HTTP/1.1; one still running at its end is told to stop, and ends with the handler's last
 * word or is cut, never with an end that looks complete. Raw clients, so nothing hides what
 * went over the wire (END_STREAM or RST_STREAM, a terminated chunked body or a reset).
 */
const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Bounds hangs only: every wait here ends far sooner on a healthy server, however loaded the machine. */
const HANG_MS = 20_000;

/** Streams `chunks` pieces `everyMs` apart; told to stop, it sends `STOPPED` and ends. */
function pacedStream(chunks: number, everyMs: number): HttpHandler {
  return async (request) => ({
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: (async function* () {
      for (let i = 0; i < chunks; i++) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, everyMs);
          request.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        if (stoppedByServer(request.signal)) {
          yield encoder.encode('STOPPED');
          return;
        }
        if (request.signal.aborted) return;
        yield encoder.encode(`${i % 10}`);
      }
    })(),
  });
}

const full = (chunks: number) => Array.from({ length: chunks }, (_, i) => `${i % 10}`).join('');

interface H2Outcome {
  readonly status: number;
  readonly body: string;
  /** 'end': END_STREAM after the body; 'reset': RST_STREAM or the session went. */
  readonly ending: 'end' | 'reset';
}

function h2Get(session: http2.ClientHttp2Session, path: string): Promise<H2Outcome> {
  return new Promise((resolve) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
    stream.on('end', () => resolve({ status, body, ending: stream.rstCode ? 'reset' : 'end' }));
    stream.on('error', () => resolve({ status, body, ending: 'reset' }));
    stream.on('close', () => resolve({ status, body, ending: stream.rstCode ? 'reset' : 'end' }));
    stream.end();
  });
}

function h1Get(agent: http.Agent, port: number, path: string): Promise<{ status: number; body: string; ending: 'end' | 'reset' }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, ending: res.complete ? 'end' : 'reset' }));
      res.on('error', () => resolve({ status: res.statusCode!, body, ending: 'reset' }));
      res.on('aborted', () => resolve({ status: res.statusCode!, body, ending: 'reset' }));
    });
    req.on('error', () => resolve({ status: 0, body: '', ending: 'reset' }));
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + HANG_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${HANG_MS} ms`);
    await sleep(5);
  }
}

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});
async function serve(handler: HttpHandler, shutdownGraceMs: number): Promise<RunningServer> {
  const server = await startNodeServer(handler, { shutdownGraceMs });
  servers.push(server);
  return server;
}

test('close() lets 64 HTTP/2 streams in progress on one session finish in full within the grace period', async () => {
  // ~0.5 s of streaming each; the grace period is far longer, so only a cut could fail them.
  const server = await serve(pacedStream(10, 50), HANG_MS);
  const session = http2.connect(server.url);
  session.on('error', () => undefined);
  const streams = Array.from({ length: 64 }, () => h2Get(session, '/s'));
  await until(() => server.activeRequests === 64, 'all 64 streams in progress');
  const closed = server.close();
  const outcomes = await Promise.all(streams);
  expect(outcomes.filter((o) => o.status === 200 && o.body === full(10) && o.ending === 'end')).toHaveLength(64);
  await closed;
});

test('close() lets 64 HTTP/1.1 requests in progress finish in full within the grace period', async () => {
  const server = await serve(pacedStream(10, 50), HANG_MS);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const requests = Array.from({ length: 64 }, () => h1Get(agent, server.port, '/s'));
  await until(() => server.activeRequests === 64, 'all 64 requests in progress');
  const closed = server.close();
  const outcomes = await Promise.all(requests);
  expect(outcomes.filter((o) => o.status === 200 && o.body === full(10) && o.ending === 'end')).toHaveLength(64);
  await closed;
  agent.destroy();
});

describe('a stream still running when the grace period ends', () => {
  test('over HTTP/2: is told to stop, sends its last word and ends cleanly; close() resolves soon after', async () => {
    const server = await serve(pacedStream(1000, 50), 300);
    const session = http2.connect(server.url);
    session.on('error', () => undefined);
    const stream = h2Get(session, '/s');
    await until(() => server.activeRequests === 1, 'the stream in progress');
    await sleep(100);
    const closed = server.close();
    const outcome = await stream;
    expect(outcome.status).toBe(200);
    expect(outcome.body).toMatch(/^\d+STOPPED$/);
    expect(outcome.ending).toBe('end');
    await closed;
  });

  test('over HTTP/1.1: the same', async () => {
    const server = await serve(pacedStream(1000, 50), 300);
    const agent = new http.Agent({ keepAlive: true });
    const request = h1Get(agent, server.port, '/s');
    await until(() => server.activeRequests === 1, 'the request in progress');
    const closed = server.close();
    const outcome = await request;
    expect(outcome.body).toMatch(/^\d*STOPPED$/);
    expect(outcome.ending).toBe('end');
    await closed;
    agent.destroy();
  });

  test('a handler that ignores the stop is cut: the client sees a broken stream, never a clean end', async () => {
    const endless: HttpHandler = async () => ({
      status: 200,
      headers: {},
      body: (async function* () {
        for (;;) {
          await sleep(20);
          yield encoder.encode('x');
        }
      })(),
    });
    const server = await serve(endless, 200);
    const session = http2.connect(server.url);
    session.on('error', () => undefined);
    const agent = new http.Agent({ keepAlive: true });
    const h2 = h2Get(session, '/s');
    const h1 = h1Get(agent, server.port, '/s');
    await until(() => server.activeRequests === 2, 'both streams in progress');
    await server.close();
    expect((await h2).ending).toBe('reset');
    expect((await h1).ending).toBe('reset');
    agent.destroy();
  });
});
