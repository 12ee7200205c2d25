import { createSignedFetch, type FetchLike } from './sigv4-fetch';

/** Where a secret is read from. */
export interface ReadSecretOptions {
  /** @default the region in the secret's ARN */
  readonly region?: string;
  /** @default a SigV4-signing fetch with the function's credentials */
  readonly fetch?: FetchLike;
}

/**
 * Reads a Secrets Manager secret's string with one signed `GetSecretValue` call, so the router
 * bundle needs no Secrets Manager SDK client. In a VPC the call goes to the interface endpoint
 * through private DNS, with the same host name.
 */
export async function readSecretString(secretArn: string, options: ReadSecretOptions = {}): Promise<string> {
  const region = options.region ?? secretArn.split(':')[3];
  if (!region) throw new Error(`Cannot tell the region of secret '${secretArn}'; expected a Secrets Manager ARN.`);
  const send = options.fetch ?? createSignedFetch({ region, service: 'secretsmanager' });
  const response = await send(`https://secretsmanager.${region}.amazonaws.com/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'secretsmanager.GetSecretValue',
    },
    body: JSON.stringify({ SecretId: secretArn }),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`GetSecretValue for ${secretArn} failed with HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  const value = (JSON.parse(text) as { SecretString?: string }).SecretString;
  if (value === undefined) throw new Error(`Secret ${secretArn} has no string value; store the API key as a string.`);
  return value;
}
