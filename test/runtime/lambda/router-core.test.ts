import { readBody } from '../../../lib/runtime/http/http-types';
import { routerCore } from '../../../lib/runtime/lambda/router-core';

describe('the router core of the Lambda functions', () => {
  const request = { method: 'POST', path: '/model/m/converse', headers: {}, body: new Uint8Array(), signal: new AbortController().signal };

  it('answers ServiceUnavailableException when it cannot start, and tries again on the next request', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let builds = 0;
    const failing = async () => {
      builds++;
      throw new Error('Secrets Manager unreachable');
    };
    const handle = await routerCore(failing);
    const answer = await handle(request);
    expect(answer.status).toBe(503);
    expect(answer.headers['x-amzn-errortype']).toBe('ServiceUnavailableException');
    expect(JSON.parse(Buffer.from(await readBody(answer.body)).toString())).toEqual({
      message: 'The router could not start; retry shortly.',
    });

    const ok = await routerCore(async () => async () => ({ status: 200, headers: {}, body: new Uint8Array([1]) }));
    expect((await ok(request)).status).toBe(200);
    expect(builds).toBe(1);
  });
});
