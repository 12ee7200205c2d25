import { createHash, createHmac, type Hash, type Hmac } from 'crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** `fetch`'s shape; a signing fetch is a drop-in for it. */
export type FetchLike = typeof fetch;

/** AWS credentials as the Lambda runtime provides them in the environment. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Credentials of the function's execution role, read fresh on every call (the runtime rotates them). */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).');
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN };
}

/** SHA-256 for the signer, from node:crypto (the SDK's own hash package is not part of this tree). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret?: Buffer;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : toBuffer(secret);
    this.hash = this.fresh();
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}

/** Where and as what a signing fetch signs. */
export interface SignedFetchOptions {
  /** Region of the service being called. */
  readonly region: string;
  /** Signing name of the service (`lambda` for function URLs, `secretsmanager`, ...). */
  readonly service: string;
  /** @default credentials from the environment, read per request */
  readonly credentials?: () => AwsCredentials;
  /** @default the global fetch */
  readonly fetch?: FetchLike;
}

/**
 * A fetch that signs every request with SigV4 before sending it: the router's way to call
 * IAM-authenticated function URLs (mock mode) and AWS APIs without an SDK client per service.
 */
export function createSignedFetch(options: SignedFetchOptions): FetchLike {
  const send = options.fetch ?? fetch;
  const credentials = options.credentials ?? (() => credentialsFromEnvironment());
  return async (input, givenInit = {}) => {
    const init = input instanceof Request ? { ...(await requestInit(input)), ...givenInit } : givenInit;
    const url = new URL(input instanceof Request ? input.url : input);
    const body = await bodyBytes(init.body);
    const headers: Record<string, string> = { host: url.host };
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, name) => {
      query[name] = value;
    });
    const signer = new SignatureV4({
      credentials: credentials(),
      region: options.region,
      service: options.service,
      sha256: NodeSha256,
    });
    const signed = await signer.sign({
      method: (init.method ?? 'GET').toUpperCase(),
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers,
      body,
    });
    const { host: _host, ...sendHeaders } = signed.headers as Record<string, string>;
    return send(url, { ...init, headers: sendHeaders, body });
  };
}

async function requestInit(request: Request): Promise<RequestInit> {
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  return { method: request.method, headers: request.headers, body, signal: request.signal };
}

async function bodyBytes(body: RequestInit['body']): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // Anything else (streams, forms) is read once so it can be hashed and then sent.
  return new Uint8Array(await new Response(body).arrayBuffer());
}
