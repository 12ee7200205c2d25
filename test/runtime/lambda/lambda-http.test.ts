import { fromApiGatewayEvent, fromFunctionUrlEvent } from '../../../lib/runtime/lambda/events';
import type { HttpHandler } from '../../../lib/runtime/http/http-types';
import { bufferedHandler, streamingHandler } from '../../../lib/runtime/lambda/lambda-http';
import { CollectingResponseStream, fakeAwsLambda, parseStreamedResponse } from './fake-awslambda';

function restEvent(modelIdAsSent: string, body: string) {
  return {
    resource: '/model/{modelId}/converse',
    path: `/model/${modelIdAsSent}/converse`,
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Amzn-Bedrock-Accept': '*/*' },
    multiValueHeaders: { 'Content-Type': ['application/json'] },
    pathParameters: { modelId: modelIdAsSent },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

describe('API Gateway events', () => {
  it('keep the model id one percent-encoded segment whether API Gateway decoded it or not', () => {
    const encoded = fromApiGatewayEvent(restEvent('us.meta.llama3-1-70b-instruct-v1%3A0', '{}'));
    const decoded = fromApiGatewayEvent(restEvent('us.meta.llama3-1-70b-instruct-v1:0', '{}'));
    expect(encoded.path).toBe('/model/us.meta.llama3-1-70b-instruct-v1%3A0/converse');
    expect(decoded.path).toBe(encoded.path);
    const arn = fromApiGatewayEvent(
      restEvent('arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.meta.llama3-1-70b-instruct-v1:0', '{}'),
    );
    expect(arn.path).toBe(
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A111122223333%3Ainference-profile%2Fus.meta.llama3-1-70b-instruct-v1%3A0/converse',
    );
  });

  it('give the operation of a bearer API key method (under /key) the same path as the IAM one', () => {
    const keyed = fromApiGatewayEvent({ ...restEvent('us.meta.llama3-1-70b-instruct-v1:0', '{}'), resource: '/key/model/{modelId}/converse' });
    expect(keyed.path).toBe('/model/us.meta.llama3-1-70b-instruct-v1%3A0/converse');
  });

  it('lower-case header names and decode base64 bodies to the exact bytes', () => {
    const request = fromApiGatewayEvent(restEvent('m', '{"messages":[]}'));
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-amzn-bedrock-accept']).toBe('*/*');
    expect(Buffer.from(request.body).toString()).toBe('{"messages":[]}');
  });

  it('read function URL events by their raw path', () => {
    const request = fromFunctionUrlEvent({
      version: '2.0',
      rawPath: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST' } },
      body: '{"a":1}',
      isBase64Encoded: false,
    });
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(Buffer.from(request.body).toString()).toBe('{"a":1}');
  });
});

describe('Lambda responses', () => {
  const bytes = Uint8Array.from([0, 1, 2, 250, 255]);

  it('buffered: a proxy result with the body in base64, every byte intact', async () => {
    const core: HttpHandler = async () => ({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const result = await bufferedHandler(fromApiGatewayEvent, async () => core)(restEvent('m', ''));
    expect(result).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(bytes).toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('buffered: JSON as text, so a client without an Accept header still gets JSON', async () => {
    const core: HttpHandler = async () => ({ status: 400, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"message":"é"}') });
    const result = await bufferedHandler(fromApiGatewayEvent, async () => core)(restEvent('m', ''));
    expect(result).toMatchObject({ statusCode: 400, body: '{"message":"é"}', isBase64Encoded: false });
  });

  it('streamed: the prelude, 8 NUL bytes, then each chunk as it comes', async () => {
    async function* chunks() {
      yield Uint8Array.from([1, 2]);
      yield Uint8Array.from([3]);
    }
    const core: HttpHandler = async () => ({ status: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, body: chunks() });
    const out = new CollectingResponseStream();
    await streamingHandler(fromApiGatewayEvent, async () => core, () => fakeAwsLambda)(restEvent('m', ''), out, {});
    const parsed = parseStreamedResponse(out.bytes());
    expect(parsed.statusCode).toBe(200);
    expect(parsed.headers).toEqual({ 'content-type': 'application/vnd.amazon.eventstream' });
    expect([...parsed.body]).toEqual([1, 2, 3]);
    expect(out.writes.slice(-2)).toEqual([2, 1]);
    expect(out.writableFinished).toBe(true);
  });

  it('streamed: a closed response stream aborts the core, so upstream calls stop', async () => {
    let seenSignal: AbortSignal | undefined;
    const out = new CollectingResponseStream();
    async function* endless() {
      for (let i = 0; i < 1000; i++) {
        if (i === 2) out.destroy(); // the client goes away mid-stream
        yield Uint8Array.from([i % 256]);
        await new Promise((r) => setImmediate(r));
      }
    }
    const core: HttpHandler = async (request) => {
      seenSignal = request.signal;
      return { status: 200, headers: {}, body: endless() };
    };
    await streamingHandler(fromApiGatewayEvent, async () => core, () => fakeAwsLambda)(restEvent('m', ''), out, {});
    expect(seenSignal?.aborted).toBe(true);
  });

  it('streamed: waiting out backpressure does not pile up listeners on the response stream', async () => {
    // A slow reader: one byte of buffer and a write that completes a turn later, so every chunk waits for 'drain'.
    class SlowResponseStream extends CollectingResponseStream {
      public mostListeners = 0;
      constructor() {
        super({ highWaterMark: 1 });
      }
      override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
        const listeners = this.listenerCount('close') + this.listenerCount('drain') + this.listenerCount('error');
        this.mostListeners = Math.max(this.mostListeners, listeners);
        setImmediate(() => super._write(chunk, encoding, callback));
      }
    }
    async function* many() {
      for (let i = 0; i < 50; i++) yield Uint8Array.from([i]);
    }
    const core: HttpHandler = async () => ({ status: 200, headers: {}, body: many() });
    const out = new SlowResponseStream();
    await streamingHandler(fromApiGatewayEvent, async () => core, () => fakeAwsLambda)(restEvent('m', ''), out, {});
    expect([...parseStreamedResponse(out.bytes()).body]).toEqual([...Array(50).keys()]);
    // A few of the handler's own; one more per wait would pass Node's limit of 10 and warn.
    expect(out.mostListeners).toBeLessThan(10);
  });

  it('streamed: a body that breaks fails the invocation rather than ending cleanly', async () => {
    async function* broken() {
      yield Uint8Array.from([1]);
      throw new Error('decode stream broke');
    }
    const core: HttpHandler = async () => ({ status: 200, headers: {}, body: broken() });
    const out = new CollectingResponseStream();
    await expect(
      streamingHandler(fromApiGatewayEvent, async () => core, () => fakeAwsLambda)(restEvent('m', ''), out, {}),
    ).rejects.toThrow('decode stream broke');
    expect(out.writableEnded).toBe(false);
  });
});
