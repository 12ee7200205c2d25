import { createHash } from 'crypto';
import { secretApiKeys, workerFetch } from '../../../lib/runtime/lambda/router-core';
import { readSecretString } from '../../../lib/runtime/lambda/secrets';
import { createSignedFetch } from '../../../lib/runtime/lambda/sigv4-fetch';
import type { RegistryConfig } from '../../../lib/runtime/routing/registry-config';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A fetch that records what would go on the wire and answers 200 with `answer`. */
function recordingFetch(sent: Sent[], answer = '{}'): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    sent.push({ url: String(input), headers, body: Buffer.from(init.body as Uint8Array).toString() });
    return new Response(answer, { status: 200 });
  }) as typeof fetch;
}

const credentials = () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });

describe('SigV4 from Lambda', () => {
  it('signs for the given service and region and sends the body unchanged', async () => {
    const sent: Sent[] = [];
    const signed = createSignedFetch({ region: 'us-east-2', service: 'lambda', credentials, fetch: recordingFetch(sent) });
    await signed('https://abc123.lambda-url.us-east-2.on.aws/v1/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":"hi"}',
    });
    const { headers, body, url } = sent[0];
    expect(url).toBe('https://abc123.lambda-url.us-east-2.on.aws/v1/completions');
    expect(body).toBe('{"prompt":"hi"}');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-2\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-security-token']).toBe('session');
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update('{"prompt":"hi"}').digest('hex'));
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('signs only requests to function URLs; load balancer and decode calls go out untouched', async () => {
    const sent: Sent[] = [];
    const env = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    try {
      const send = workerFetch(recordingFetch(sent));
      await send('http://internal-prefill.elb.us-east-2.amazonaws.com:8000/v1/completions', { method: 'POST', body: '{}' });
      await send('https://abc123.lambda-url.eu-west-1.on.aws/v1/chat/completions', { method: 'POST', body: '{}' });
    } finally {
      process.env = env;
    }
    expect(sent[0].headers.authorization).toBeUndefined();
    expect(sent[1].headers.authorization).toMatch(/\/eu-west-1\/lambda\/aws4_request/);
  });

  it('reads a secret with one GetSecretValue call', async () => {
    const sent: Sent[] = [];
    const arn = 'arn:aws:secretsmanager:us-east-2:111122223333:secret:decode-key-AbCdEf';
    const value = await readSecretString(arn, { fetch: recordingFetch(sent, JSON.stringify({ SecretString: 'sk-123' })) });
    expect(value).toBe('sk-123');
    expect(sent[0].url).toBe('https://secretsmanager.us-east-2.amazonaws.com/');
    expect(sent[0].headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(sent[0].body)).toEqual({ SecretId: arn });
  });

  it('resolves decode API keys from Secrets Manager once, by the ARN in the registry', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-2:111122223333:secret:decode-key-AbCdEf';
    const registry: RegistryConfig = {
      models: [
        {
          modelIds: ['m'],
          prefillUrls: ['http://p:8000'],
          prefillModel: 'p',
          decode: { url: 'https://d', model: 'd', canIngestKv: false, apiKey: { secretArn: arn } },
          contextWindow: 100,
          maxOutputTokens: 10,
        },
      ],
    };
    const reads: string[] = [];
    const resolve = await secretApiKeys(registry, async (a) => {
      reads.push(a);
      return 'sk-from-secret';
    });
    const decode = registry.models[0].decode;
    expect(resolve(decode)).toBe('sk-from-secret');
    expect(resolve(decode)).toBe('sk-from-secret');
    expect(reads).toEqual([arn]);
  });
});
