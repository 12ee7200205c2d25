import * as http2 from 'node:http2';
import * as net from 'node:net';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { runConcurrently } from '../../../bench/concurrently';
import { heapAfterGc } from '../../../bench/soak/heap';
import { MockTiming, startMockCluster } from '../../../lib/mock';
import { HttpHandler } from '../../../lib/runtime/http/http-types';
import { RunningServer, startNodeServer } from '../../../lib/runtime/server/node-server';
import { bedrockClient, eventually, TRANSPORTS, userSays } from '../../e2e/helpers';

/**
 * What the server keeps after a forced GC must not grow with the requests it has served.
 * Each test runs a warm-up round (the JIT's code and the pools' first allocations), then
 * measures the heap kept across two more rounds. The bounds are generous (a shared, noisy
 * machine); the leaks they guard against cost kilobytes per request.
 */
const MB = 1024 * 1024;

const encoder = new TextEncoder();
const ok: HttpHandler = async (request) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: encoder.encode(`{"bytes":${request.body.length}}`) });

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});
async function serve(handler: HttpHandler, options = {}): Promise<RunningServer> {
  const server = await startNodeServer(handler, options);
  servers.push(server);
  return server;
}

/** The heap kept after the second of two rounds, minus after the first (after a warm-up round). */
async function growthOverRounds(round: () => Promise<void>): Promise<number> {
  await round();
  await round();
  const first = heapAfterGc();
  await round();
  const growth = heapAfterGc() - first;
  if (process.env.PRINT_HEAP_GROWTH) process.stderr.write(`${expect.getState().currentTestName}: ${(growth / MB).toFixed(3)} MB\n`);
  return growth;
}

function h2Request(session: http2.ClientHttp2Session, path = '/x'): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path });
    let status = 0;
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('error', reject);
    stream.on('end', () => resolve(status));
    stream.resume();
    stream.end('{"hello":"world"}');
  });
}

test('HTTP/2 requests on one session: the heap kept does not grow with them', async () => {
  const server = await serve(ok);
  const session = http2.connect(server.url);
  const growth = await growthOverRounds(() => runConcurrently(2000, 32, () => h2Request(session)));
  session.close();
  expect(growth).toBeLessThan(1 * MB);
}, 120_000);

test('HTTP/2 sessions the client has closed are not kept (by their idle timer or otherwise)', async () => {
  // The idle limit is long: a closed session still reachable through its timer stays for a minute.
  const server = await serve(ok, { idleTimeoutMs: 60_000 });
  const oneSession = async () => {
    const session = http2.connect(server.url);
    await h2Request(session);
    await new Promise<void>((resolve) => session.close(resolve));
  };
  const growth = await growthOverRounds(() => runConcurrently(600, 8, oneSession));
  expect(growth).toBeLessThan(1 * MB);
}, 120_000);

test('HTTP/1.1 requests whose client leaves mid-request are not kept', async () => {
  // The handler answers after its client has gone, so the request ends after its socket closed.
  const arrived: Array<() => void> = [];
  const release: Array<() => void> = [];
  const late: HttpHandler = async (request) => {
    arrived.shift()?.();
    await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => release.push(resolve), { once: true }));
    return ok(request);
  };
  const server = await serve(late);
  const leave = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
      // Gone once the server has the request (the handler runs).
      arrived.push(() => socket.destroy());
      socket.write('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}');
    });
  const round = async () => {
    await runConcurrently(400, 1, leave);
    // The server may see a client leave after the client has; answer each request once it has.
    await eventually(() => {
      for (const answer of release.splice(0)) answer();
      return server.activeRequests === 0;
    }, 20_000);
  };

  expect(await growthOverRounds(round)).toBeLessThan(1 * MB);
}, 120_000);

/** Requests per round: enough that the HTTP/2 leak (kilobytes each) would pass the bound several times over. */
const CONVERSE_ROUNDS: Record<(typeof TRANSPORTS)[number], number> = { [TRANSPORTS[0]]: 800, [TRANSPORTS[1]]: 500 };

describe.each(TRANSPORTS)('Converse with the official client over %s', (transport) => {
  test('the heap kept does not grow with the requests', async () => {
    const cluster = await startMockCluster({ timing: MockTiming.NONE, gateway: { telemetry: () => undefined } });
    const client = bedrockClient(cluster.endpoint, transport);
    const converse = () =>
      client.send(new ConverseCommand({ modelId: 'us.meta.llama3-3-70b-instruct-v1:0', messages: userSays('hello'), inferenceConfig: { maxTokens: 4 } }));
    try {
      // The client runs in this process too: the bound covers both sides.
      const growth = await growthOverRounds(() => runConcurrently(CONVERSE_ROUNDS[transport], 32, converse));
      expect(growth).toBeLessThan(1 * MB);
    } finally {
      client.destroy();
      await cluster.close();
    }
  }, 180_000);
});
