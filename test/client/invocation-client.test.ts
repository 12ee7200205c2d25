import * as http from 'http';
import type { AddressInfo } from 'net';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { createInvocationClient } from '../../lib/client';

interface Seen {
  method?: string;
  url?: string;
  httpVersion: string;
  headers: http.IncomingHttpHeaders;
}

describe('createInvocationClient', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    // Answers like the deployed API would: a Converse response, over HTTP/1.1.
    server = http.createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, httpVersion: req.httpVersion, headers: req.headers });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            output: { message: { role: 'assistant', content: [{ text: 'hello' }] } },
            stopReason: 'end_turn',
            usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 },
            metrics: { latencyMs: 5 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('signs for execute-api in the given region, keeps the stage path, speaks HTTP/1.1', async () => {
    const client = createInvocationClient({
      apiUrl: `${baseUrl}/v1/`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    const answer = await client.send(
      new ConverseCommand({
        modelId: 'us.meta.llama3-1-70b-instruct-v1:0',
        messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      }),
    );
    client.destroy();

    expect(answer.output?.message?.content?.[0]?.text).toBe('hello');
    const request = seen.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/model/us.meta.llama3-1-70b-instruct-v1%3A0/converse');
    expect(request.httpVersion).toBe('1.1');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
  });

  it('ignores a Bedrock bearer token in the environment', async () => {
    process.env.AWS_BEARER_TOKEN_BEDROCK = 'not-for-api-gateway';
    try {
      const client = createInvocationClient({
        apiUrl: baseUrl,
        region: 'us-east-2',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        maxAttempts: 1,
      });
      await client.send(
        new ConverseCommand({ modelId: 'meta.llama3-1-8b-instruct-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
      );
      client.destroy();
    } finally {
      delete process.env.AWS_BEARER_TOKEN_BEDROCK;
    }
    expect(seen.at(-1)!.headers.authorization).toMatch(/\/us-east-2\/execute-api\/aws4_request/);
  });

  it('rejects an apiUrl that is not a URL, naming it', () => {
    expect(() => createInvocationClient({ apiUrl: 'abc123.execute-api', region: 'us-east-1' })).toThrow(
      /apiUrl 'abc123.execute-api' is not a URL/,
    );
  });
});
