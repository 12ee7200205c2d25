import { createSignedFetch, type FetchLike } from '../lambda/sigv4-fetch';
import { type ApiKeyRecord, type DynamoItem, fromItem } from './api-key';

/** Where the key table is read from. */
export interface KeyTableOptions {
  /** Region of the table. */
  readonly region: string;
  /** @default a SigV4-signing fetch with the function's credentials */
  readonly fetch?: FetchLike;
}

/**
 * Reads one key record with a signed DynamoDB `GetItem` (strongly consistent, so a revocation
 * counts from the next uncached request), the way the router reads Secrets Manager: one HTTP call,
 * no SDK client in the bundle, a short cold start on the request path.
 */
export function keyTableReader(tableName: string, options: KeyTableOptions): (keyId: string) => Promise<ApiKeyRecord | undefined> {
  const send = options.fetch ?? createSignedFetch({ region: options.region, service: 'dynamodb' });
  return async (keyId) => {
    const response = await send(`https://dynamodb.${options.region}.amazonaws.com/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body: JSON.stringify({ TableName: tableName, Key: { keyId: { S: keyId } }, ConsistentRead: true }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`GetItem on ${tableName} failed with HTTP ${response.status}: ${text.slice(0, 300)}`);
    const item = (JSON.parse(text) as { Item?: DynamoItem }).Item;
    return item ? fromItem(item) : undefined;
  };
}
