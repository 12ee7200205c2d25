import { API_KEY_HEADER_PATTERN, type ApiKeyRecord, fromItem, generateApiKey, hashApiKey, toItem } from '../../../lib/runtime/auth/api-key';
import { keyTableReader } from '../../../lib/runtime/auth/key-table';
import { apiKeyAuthorizer, type TokenAuthorizerEvent } from '../../../lib/runtime/auth/token-authorizer';

const METHOD_ARN = 'arn:aws:execute-api:us-east-2:111122223333:abc123/v1/POST/key/model/us.meta.llama3-3-70b-instruct-v1:0/converse';
const EVERY_BEARER_METHOD = 'arn:aws:execute-api:us-east-2:111122223333:abc123/v1/POST/key/*';

/** A key table in memory, as the authorizer reads it (one record by key id), counting reads. */
function memoryTable(...records: ApiKeyRecord[]) {
  const items = new Map(records.map((r) => [r.keyId, toItem(r)]));
  const reads: string[] = [];
  return {
    reads,
    revoke: (keyId: string) => items.set(keyId, toItem({ ...fromItem(items.get(keyId)!), revokedAt: '2026-09-01T00:00:00.000Z' })),
    lookUp: async (keyId: string) => {
      reads.push(keyId);
      const item = items.get(keyId);
      return item ? fromItem(item) : undefined;
    },
  };
}

const event = (authorizationToken?: string): TokenAuthorizerEvent => ({ type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN });

describe('the bearer API key authorizer', () => {
  const logged: string[] = [];
  const log = (line: string) => logged.push(line);
  beforeEach(() => logged.splice(0));

  test('a valid key is allowed every bearer-key method of the stage (the answer is cached per key, not per method)', async () => {
    const { key, record } = generateApiKey('ci pipeline');
    const table = memoryTable(record);
    const answer = await apiKeyAuthorizer(table.lookUp, log)(event(`Bearer ${key}`));
    expect(answer).toEqual({
      principalId: record.keyId,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: EVERY_BEARER_METHOD }] },
      context: { keyId: record.keyId, keyName: 'ci pipeline' },
    });
    expect(table.reads).toEqual([record.keyId]);
  });

  test('a revoked key is denied, and its refusal logged by key id, never the key', async () => {
    const { key, record } = generateApiKey('laptop');
    const table = memoryTable(record);
    const authorize = apiKeyAuthorizer(table.lookUp, log);
    expect((await authorize(event(`Bearer ${key}`))).policyDocument.Statement[0].Effect).toBe('Allow');
    table.revoke(record.keyId);
    const answer = await authorize(event(`Bearer ${key}`));
    expect(answer.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: EVERY_BEARER_METHOD }]);
    expect(answer.context).toBeUndefined();
    expect(logged.map((l) => JSON.parse(l))).toEqual([{ message: 'API key refused', reason: 'revoked', keyId: record.keyId }]);
    expect(logged.join('')).not.toContain(key);
  });

  test('a missing, malformed, unknown or forged key is denied without reading the table when it cannot be a key', async () => {
    const { key: known, record } = generateApiKey('known');
    const table = memoryTable(record);
    const authorize = apiKeyAuthorizer(table.lookUp, log);
    const unknown = generateApiKey('never stored').key;
    // The known key's id with another secret: found by id, refused by hash.
    const forged = `${known.slice(0, known.indexOf('.') + 1)}${'A'.repeat(43)}`;
    for (const header of [undefined, '', 'Bearer', `Basic ${known}`, 'Bearer not-a-key', `Bearer ${unknown}`, `Bearer ${forged}`]) {
      const answer = await authorize(event(header));
      expect(answer.policyDocument.Statement[0].Effect).toBe('Deny');
    }
    expect(logged.map((l) => JSON.parse(l).reason)).toEqual(['malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'unknown', 'mismatch']);
    // Only the two well-formed keys were looked up.
    expect(table.reads).toEqual([unknown.slice(4, 20), record.keyId]);
  });
});

describe('API keys', () => {
  test('are stored as their SHA-256 only, and the header pattern API Gateway checks accepts exactly their form', () => {
    const { key, record } = generateApiKey('x', new Date('2026-09-01T12:00:00Z'));
    expect(key).toMatch(/^dik_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(record).toEqual({ keyId: key.slice(4, 20), secretHash: hashApiKey(key), name: 'x', createdAt: '2026-09-01T12:00:00.000Z' });
    expect(JSON.stringify(toItem(record))).not.toContain(key.slice(21));
    const header = new RegExp(API_KEY_HEADER_PATTERN);
    expect(header.test(`Bearer ${key}`)).toBe(true);
    for (const bad of [key, `Bearer ${key} `, `Bearer ${key}x`, `bearer ${key}`, `Bearer ${key.replace('dik_', 'abc_')}`]) expect(header.test(bad)).toBe(false);
  });

  test('two keys never share an id or a secret', () => {
    const keys = Array.from({ length: 50 }, () => generateApiKey('k'));
    expect(new Set(keys.map((k) => k.record.keyId)).size).toBe(50);
    expect(new Set(keys.map((k) => k.key)).size).toBe(50);
  });

  test('an item missing its hash is an error naming the key and the attribute', () => {
    expect(() => fromItem({ keyId: { S: 'abc' } })).toThrow('API key item abc has no string attribute secretHash.');
  });
});

describe('the key table reader', () => {
  test('reads one item with a strongly consistent GetItem on the regional endpoint, and an absent item as no record', async () => {
    const { record } = generateApiKey('reader');
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fetch = async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), init: init! });
      const body = JSON.parse(String(init!.body));
      return new Response(JSON.stringify(body.Key.keyId.S === record.keyId ? { Item: toItem(record) } : {}), { status: 200 });
    };
    const read = keyTableReader('Keys', { region: 'us-east-2', fetch: fetch as typeof globalThis.fetch });
    expect(await read(record.keyId)).toEqual(record);
    expect(await read('0000000000000000')).toBeUndefined();
    expect(calls[0].url).toBe('https://dynamodb.us-east-2.amazonaws.com/');
    expect(calls[0].init.headers).toEqual({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' });
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ TableName: 'Keys', Key: { keyId: { S: record.keyId } }, ConsistentRead: true });
  });

  test('a refused read is an error with the status, so the authorizer fails (API Gateway answers 500) rather than allowing', async () => {
    const fetch = async () => new Response('{"__type":"AccessDeniedException"}', { status: 400 });
    const read = keyTableReader('Keys', { region: 'us-east-2', fetch: fetch as unknown as typeof globalThis.fetch });
    await expect(read('0123456789abcdef')).rejects.toThrow('GetItem on Keys failed with HTTP 400: {"__type":"AccessDeniedException"}');
  });
});
