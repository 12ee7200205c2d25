import * as http2 from 'node:http2';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { MockCluster, MockTiming, startMockCluster } from '../../lib/mock';
import { seededRandom } from '../../lib/planning/simulation/random';
import { BedrockErrorType } from '../../lib/runtime/bedrock/errors';
import { mutationsOf, type Mutation, VALID_BODIES } from './fuzz/bodies';
import { Flag, frame, FrameType, headerBlock, postH1, postH2, rawExchange, rawH2, requestHeaders, settings, type Exchanged } from './fuzz/wire';
import { bedrockClient, eventually, TRANSPORTS, userSays } from './helpers';

/**
 * Bad input, generated (seeded, so a failure replays exactly): wrong types at every field of
 * every operation, deep nesting, huge strings, unicode edge cases, over HTTP/1.1 and HTTP/2; lying
 * framing over raw sockets; garbage HTTP/2 frames. Every one gets a 4xx Bedrock error or a closed
 * connection: never a 5xx, a crash (the server runs in this process) or a hang (every wait is
 * bounded). After each batch a good request still succeeds.
 */
const SEED = 20_261_201;
const MODEL = 'us.meta.llama3-3-70b-instruct-v1:0';
const modelPath = (operation: string) => `/model/${encodeURIComponent(MODEL)}/${operation}`;
/** Bounds hangs only: everything here is answered or closed far sooner. */
const HANG_MS = 15_000;
const BODY_TIMEOUT_MS = 1000;
const IDLE_MS = 2000;

const statusOf = new Map(
  Object.values(BedrockErrorType)
    .filter((value): value is BedrockErrorType => value instanceof BedrockErrorType)
    .map((type) => [type.name, type.httpStatus]),
);

/** Generated bodies go to a gateway with the default server limits (the body is no lie: it must not time out on a loaded machine)... */
let bodies: MockCluster;
/** ...lying framing to one with short ones, so silent and lying clients resolve well within the hang bound. */
let framing: MockCluster;
const telemetry: Array<Record<string, unknown>> = [];
const serverErrors: string[] = [];
let consoleError: jest.SpyInstance;

beforeAll(async () => {
  // What the server reports as failing (the exchange's 500s, the gateway's internal errors) lands here.
  consoleError = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    serverErrors.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ').slice(0, 300));
  });
  const gateway = { maxBodyBytes: 2 * 1024 * 1024, telemetry: (line: string) => telemetry.push(JSON.parse(line)) };
  bodies = await startMockCluster({ timing: MockTiming.NONE, gateway });
  framing = await startMockCluster({ timing: MockTiming.NONE, gateway, server: { bodyTimeoutMs: BODY_TIMEOUT_MS, idleTimeoutMs: IDLE_MS } });
});
afterAll(async () => {
  await bodies.close();
  await framing.close();
  consoleError.mockRestore();
});

/** A good request over both transports, as after every batch. */
async function goodRequestsSucceed(cluster: MockCluster): Promise<void> {
  for (const transport of TRANSPORTS) {
    const client = bedrockClient(cluster.endpoint, transport);
    const answer = await client.send(new ConverseCommand({ modelId: MODEL, messages: userSays('still there?'), inferenceConfig: { maxTokens: 3 } }));
    expect(answer.usage?.outputTokens).toBe(3);
    client.destroy();
  }
}

/**
 * What the server itself reported while `run` went: no 5xx in its request lines, nothing logged
 * as failing, and nothing left in flight. (The server runs in this process: a crash would have
 * failed the test.)
 */
async function serverStaysClean(cluster: MockCluster, run: () => Promise<void>): Promise<void> {
  const [lines, errors] = [telemetry.length, serverErrors.length];
  await run();
  const fiveHundreds = telemetry.slice(lines).filter((line) => (statusOf.get(String(line.ErrorType)) ?? 0) >= 500);
  expect(fiveHundreds.map((line) => line.ErrorType)).toEqual([]);
  expect(serverErrors.slice(errors)).toEqual([]);
  await eventually(() => cluster.gateway.inFlight === 0, HANG_MS);
}

/** Runs `calls` `concurrency` at a time. */
async function inBatches<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await run(items[next++]);
  }));
}

interface BodyResult {
  readonly label: string;
  readonly outcome: Exchanged;
  readonly mutation: Mutation;
}

/** What is wrong with one answer to a generated body. */
function problemWith({ outcome, mutation }: BodyResult): string | undefined {
  if (outcome === 'hung') return 'hung';
  if (outcome === 'closed') return 'connection closed without an answer';
  if (outcome.status >= 500) return `${outcome.status} ${outcome.headers['x-amzn-errortype']}: ${outcome.body.toString().slice(0, 120)}`;
  if (outcome.status >= 400) {
    const message = (() => {
      try {
        return JSON.parse(outcome.body.toString()).message;
      } catch {
        return undefined;
      }
    })();
    if (!outcome.headers['x-amzn-errortype'] || typeof message !== 'string') return `${outcome.status} without a Bedrock error (x-amzn-errortype and a message)`;
    return undefined;
  }
  if (mutation.wrongType) return `${outcome.status}: a value of the wrong type was accepted`;
  return undefined;
}

describe(`bad-input fuzz (seed ${SEED})`, () => {
  test('generated bodies at every field of every operation, over HTTP/1.1 and HTTP/2', () => serverStaysClean(bodies, async () => {
    const random = seededRandom(SEED);
    const results: BodyResult[] = [];
    const session = http2.connect(bodies.endpoint);
    session.on('error', () => undefined);
    for (const { operation, body } of VALID_BODIES) {
      const mutations = mutationsOf(body, random, 30);
      for (const transport of ['HTTP/1.1', 'HTTP/2'] as const) {
        await inBatches(mutations, 8, async (mutation) => {
          const outcome = transport === 'HTTP/2' ? await postH2(session, modelPath(operation), mutation.text, HANG_MS) : await postH1(Number(new URL(bodies.endpoint).port), modelPath(operation), mutation.text, HANG_MS);
          results.push({ label: `${operation} over ${transport}: ${mutation.label}`, outcome, mutation });
        });
        await goodRequestsSucceed(bodies);
      }
    }
    session.close();
    const problems = results.map((r) => [r.label, problemWith(r)] as const).filter(([, problem]) => problem !== undefined);
    // Nothing goes wrong: each problem with what the server answered.
    expect(problems.map(([label, problem]) => `${label}: ${problem}`)).toEqual([]);
    // The fuzz did reach the validators: most bodies were refused, some (valid edge values) answered.
    const statuses = results.map((r) => (typeof r.outcome === 'string' ? 0 : r.outcome.status));
    expect(statuses.filter((s) => s >= 400 && s < 500).length).toBeGreaterThan(results.length / 2);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
  }), 300_000);

  test('lying HTTP/1.1 framing over raw sockets', () => serverStaysClean(framing, async () => {
    const port = Number(new URL(framing.endpoint).port);
    const random = seededRandom(SEED + 1);
    const good = JSON.stringify(VALID_BODIES[0].body);
    const request = (headers: string, body = '', path = modelPath('converse'), method = 'POST') =>
      Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${headers}\r\n${body}`, 'latin1');
    const chunked = (body: string) => `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    /** [what, bytes, half-close after writing, statuses allowed besides 4xx] */
    const cases: Array<[string, Buffer, boolean?, number[]?]> = [
      ['content-length longer than the body, then silence', request(`Content-Length: ${good.length + 100}\r\n`, good)],
      ['content-length longer than the body, then the client half-closes', request(`Content-Length: ${good.length + 100}\r\n`, good), true],
      ['content-length shorter than the body', request(`Content-Length: ${good.length - 10}\r\n`, good)],
      ['a non-numeric content-length', request('Content-Length: abc\r\n', good)],
      ['a negative content-length', request('Content-Length: -5\r\n', good)],
      ['two different content-lengths', request('Content-Length: 5\r\nContent-Length: 6\r\n', good)],
      ['content-length and chunked together', request(`Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`, chunked(good))],
      ['a chunk size that is not hex', request('Transfer-Encoding: chunked\r\n', `zz\r\n${good}\r\n0\r\n\r\n`)],
      ['a chunk longer than its size says', request('Transfer-Encoding: chunked\r\n', `5\r\n${good}\r\n0\r\n\r\n`)],
      ['a chunk shorter than its size, then silence', request('Transfer-Encoding: chunked\r\n', `ffff\r\n${good}`)],
      ['chunks without the last chunk, then silence', request('Transfer-Encoding: chunked\r\n', `${good.length.toString(16)}\r\n${good}\r\n`)],
      ['a chunk size past 64 bits', request('Transfer-Encoding: chunked\r\n', 'ffffffffffffffffffff\r\nx\r\n')],
      ['a chunk extension with control characters', request('Transfer-Encoding: chunked\r\n', `${good.length.toString(16)};a\u0000=\u0001\r\n${good}\r\n0\r\n\r\n`)],
      ['an unknown transfer coding', request('Transfer-Encoding: gzip, chunked, zstd\r\n', chunked(good))],
      ['a body far over the size limit, chunked', request('Transfer-Encoding: chunked\r\n', chunked('x'.repeat(20 * 1024 * 1024)))],
      ['a garbage request line', Buffer.from('GARBAGE / NOPE\r\n\r\n')],
      ['an unknown method', request(`Content-Length: ${good.length}\r\n`, good, modelPath('converse'), 'BREW')],
      ['GET of an operation', request('', '', modelPath('converse'), 'GET')],
      ['a model id with broken percent-encoding', request(`Content-Length: ${good.length}\r\n`, good, '/model/%E0%A4%A/converse')],
      ['a NUL byte in the path', request(`Content-Length: ${good.length}\r\n`, good, '/model/a\u0000b/converse')],
      ['a header line without a colon', request('NoColonHere\r\n', good)],
      ['headers over the size limit', request(`X-Big: ${'a'.repeat(100_000)}\r\n`, good)],
      ['bare LF line endings', Buffer.from(`POST ${modelPath('converse')} HTTP/1.1\nHost: localhost\nContent-Length: ${good.length}\n\n${good}`)],
      ['no Host header', Buffer.from(`POST ${modelPath('converse')} HTTP/1.1\r\nContent-Length: ${good.length}\r\n\r\n${good}`)],
      // The good request may be answered 200 before the garbage after it gets its 400.
      ['a good request, then garbage pipelined', Buffer.concat([request(`Content-Length: ${good.length}\r\n`, good), Buffer.from('\u0001\u0002GARBAGE\r\n\r\n')]), false, [200]],
      ['nothing at all', Buffer.alloc(0)],
      ['part of the HTTP/2 preface, then silence', Buffer.from('PRI * HTTP/2.0\r\n')],
      ...Array.from({ length: 20 }, (_, i): [string, Buffer] => [`random bytes #${i}`, Buffer.from(Array.from({ length: 1 + Math.floor(random() * 2000) }, () => Math.floor(random() * 256)))]),
    ];
    const problems: string[] = [];
    const outcomes = new Map<string, Awaited<ReturnType<typeof rawExchange>>>();
    await inBatches(cases, 8, async ([what, bytes, end, allowed]) => {
      const outcome = await rawExchange(port, bytes, HANG_MS, end);
      outcomes.set(what, outcome);
      if (outcome === 'hung') problems.push(`${what}: hung`);
      else if (!outcome.closed && outcome.statuses.length === 0) problems.push(`${what}: neither answered nor closed`);
      else for (const status of outcome.statuses) if ((status < 400 || status >= 500) && !allowed?.includes(status)) problems.push(`${what}: answered ${status}`);
    });
    expect(problems).toEqual([]);
    // Some answers are specific: the body time limit, Node's header limit, the gateway's own refusal.
    expect(outcomes.get('content-length longer than the body, then silence')).toMatchObject({ statuses: [408] });
    expect(outcomes.get('chunks without the last chunk, then silence')).toMatchObject({ statuses: [408] });
    expect(outcomes.get('headers over the size limit')).toMatchObject({ statuses: [431] });
    // Node's parser meets the garbage before the good request is answered: it answers 400 and closes.
    expect(outcomes.get('a good request, then garbage pipelined')).toMatchObject({ statuses: expect.arrayContaining([400]) });
    expect(outcomes.get('a model id with broken percent-encoding')).toMatchObject({ statuses: [400] });
    await goodRequestsSucceed(framing);
  }), 120_000);

  test('garbage HTTP/2 frames over raw sockets', () => serverStaysClean(framing, async () => {
    const port = Number(new URL(framing.endpoint).port);
    const random = seededRandom(SEED + 2);
    const good = Buffer.from(JSON.stringify(VALID_BODIES[0].body));
    const headers = (streamId: number, block = requestHeaders(modelPath('converse')), flags: number = Flag.END_HEADERS) => frame(FrameType.HEADERS, flags, streamId, block);
    const data = (streamId: number, payload: Buffer, flags: number = Flag.END_STREAM) => frame(FrameType.DATA, flags, streamId, payload);
    const u32 = (...values: number[]) => Buffer.concat(values.map((v) => Buffer.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255])));
    const cases: Array<[string, Buffer]> = [
      ['a frame longer than the maximum frame size', frame(FrameType.DATA, 0, 1, Buffer.alloc(16), 0xffffff)],
      ['an unknown frame type, then a good request', Buffer.concat([frame(0xfa, 0xff, 0, Buffer.from('ignore me')), headers(1), data(1, good)])],
      ['HEADERS with a garbage header block', headers(1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x80, 0x00]))],
      ['DATA on stream 0', data(0, good)],
      ['DATA on a stream never opened', data(1, good)],
      ['SETTINGS with a window size past 2^31 - 1', settings([[0x4, 0x80000000]])],
      ['SETTINGS whose length is not a multiple of 6', frame(FrameType.SETTINGS, 0, 0, Buffer.alloc(7))],
      ['a SETTINGS acknowledgement with a payload', frame(FrameType.SETTINGS, Flag.ACK, 0, Buffer.alloc(6))],
      ['a WINDOW_UPDATE of 0 on the connection', frame(FrameType.WINDOW_UPDATE, 0, 0, u32(0))],
      ['CONTINUATION without HEADERS', frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, requestHeaders('/x'))],
      ['a PING of 7 bytes', frame(FrameType.PING, 0, 0, Buffer.alloc(7))],
      ['a stream that depends on itself', frame(FrameType.PRIORITY, 0, 1, Buffer.concat([u32(1), Buffer.from([16])]))],
      ['RST_STREAM on a stream never opened', frame(FrameType.RST_STREAM, 0, 3, u32(8))],
      ['HEADERS on an even (server-initiated) stream id', Buffer.concat([headers(2), data(2, good)])],
      ['HEADERS, then DATA before the header block ended', Buffer.concat([headers(1, requestHeaders('/x'), 0), data(1, good)])],
      ['HEADERS without :path', Buffer.concat([headers(1, headerBlock([[':method', 'POST'], [':scheme', 'http'], [':authority', 'x']])), data(1, good)])],
      ['an upper-case header name', Buffer.concat([headers(1, requestHeaders(modelPath('converse'), [['X-Upper', '1']])), data(1, good)])],
      ['a connection-specific header', Buffer.concat([headers(1, requestHeaders(modelPath('converse'), [['connection', 'keep-alive']])), data(1, good)])],
      ['content-length longer than the DATA sent', Buffer.concat([headers(1, requestHeaders(modelPath('converse'), [['content-length', String(good.length + 100)]])), data(1, good)])],
      ['content-length shorter than the DATA sent', Buffer.concat([headers(1, requestHeaders(modelPath('converse'), [['content-length', '5']])), data(1, good)])],
      ['HEADERS and never a body', headers(1)],
      ['HEADERS ending the stream, no body', headers(1, requestHeaders(modelPath('converse')), Flag.END_HEADERS | Flag.END_STREAM)],
      ['stream ids going down', Buffer.concat([headers(5), data(5, good), headers(3), data(3, good)])],
      ['a new stream after the client sent GOAWAY', Buffer.concat([frame(FrameType.GOAWAY, 0, 0, u32(0, 0)), headers(1), data(1, good)])],
      ['a header block of 1 MiB in CONTINUATION frames', Buffer.concat([headers(1, requestHeaders('/x'), 0), ...Array.from({ length: 64 }, (_, i) => frame(FrameType.CONTINUATION, i === 63 ? Flag.END_HEADERS : 0, 1, headerBlock([[`x-filler-${i}`, 'f'.repeat(16_000)]])))])],
      ['200 streams opened and reset at once', Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.concat([headers(2 * i + 1), frame(FrameType.RST_STREAM, 0, 2 * i + 1, u32(8))])))],
      ['200 streams opened whose bodies never come', Buffer.concat(Array.from({ length: 200 }, (_, i) => headers(2 * i + 1)))],
      ['the HTTP/1.1 request line after the preface', Buffer.from(`POST ${modelPath('converse')} HTTP/1.1\r\nHost: x\r\n\r\n`)],
      ...Array.from({ length: 20 }, (_, i): [string, Buffer] => [`random bytes #${i}`, Buffer.from(Array.from({ length: 1 + Math.floor(random() * 2000) }, () => Math.floor(random() * 256)))]),
      ...Array.from({ length: 20 }, (_, i): [string, Buffer] => {
        const type = Math.floor(random() * 12);
        const payload = Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
        return [`a random frame #${i} (type ${type})`, frame(type, Math.floor(random() * 256), Math.floor(random() * 8), payload)];
      }),
    ];
    const problems: string[] = [];
    const outcomes = new Map<string, Awaited<ReturnType<typeof rawH2>>>();
    await inBatches(cases, 8, async ([what, bytes]) => {
      const outcome = await rawH2(port, bytes, HANG_MS);
      outcomes.set(what, outcome);
      if (outcome === 'hung') problems.push(`${what}: hung`);
    });
    expect(problems).toEqual([]);
    // A connection error ends the session (GOAWAY); a request that got through is answered (HEADERS).
    const sent = (what: string, type: number) => {
      const outcome = outcomes.get(what);
      return outcome !== 'hung' && outcome !== undefined && outcome.types.includes(type);
    };
    expect(sent('a frame longer than the maximum frame size', FrameType.GOAWAY)).toBe(true);
    expect(sent('DATA on stream 0', FrameType.GOAWAY)).toBe(true);
    expect(sent('an unknown frame type, then a good request', FrameType.HEADERS)).toBe(true);
    expect(sent('HEADERS and never a body', FrameType.HEADERS)).toBe(true); // 408 at the body time limit
    await goodRequestsSucceed(framing);
  }), 120_000);
});
