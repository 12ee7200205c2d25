import type { GatewayRequest } from '../http/http-types';

/**
 * The two Lambda event shapes the runtime's functions receive, reduced to what an HTTP request
 * is: API Gateway REST proxy events (the router) and Lambda function URL events (mock workers).
 */

/** API Gateway REST API Lambda proxy event (payload 1.0), the fields the adapter reads. */
export interface ApiGatewayProxyEvent {
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly multiValueHeaders?: Record<string, string[] | undefined> | null;
  readonly pathParameters?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/** Lambda function URL event (payload 2.0), the fields the adapter reads. */
export interface FunctionUrlEvent {
  readonly version: '2.0';
  readonly rawPath: string;
  readonly headers?: Record<string, string | undefined>;
  readonly requestContext: { readonly http: { readonly method: string } };
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** An HTTP request as the transport-neutral cores take it, before the adapter adds the abort signal. */
export type HttpRequestParts = Omit<GatewayRequest, 'signal'>;

/** Reads an API Gateway REST proxy event. */
export function fromApiGatewayEvent(event: ApiGatewayProxyEvent): HttpRequestParts {
  return {
    method: event.httpMethod,
    path: restApiPath(event),
    headers: lowerCaseHeaders(event.headers ?? {}, event.multiValueHeaders ?? {}),
    body: decodeBody(event.body, event.isBase64Encoded),
  };
}

/** Reads a Lambda function URL event. */
export function fromFunctionUrlEvent(event: FunctionUrlEvent): HttpRequestParts {
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers: lowerCaseHeaders(event.headers ?? {}, {}),
    body: decodeBody(event.body, event.isBase64Encoded),
  };
}

/**
 * The request path with the model id as one percent-encoded segment, built from the matched
 * resource (`/model/{modelId}/converse`) and its parameters. Captures of live events disagree on
 * whether API Gateway hands the parameter over decoded; a Bedrock model id never contains a
 * literal `%`, so a value with percent escapes is taken as encoded and decoded once first.
 * Bearer API key callers reach the same operations under a prefix (`/key/model/...`); the
 * operation is the path from `/model/` on (the encoded model id holds no `/`).
 */
function restApiPath(event: ApiGatewayProxyEvent): string {
  const params = event.pathParameters ?? {};
  if (!event.resource.includes('{')) return event.path;
  const path = event.resource.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
    const raw = params[name] ?? '';
    const decoded = /%[0-9a-f]{2}/i.test(raw) ? safeDecode(raw) : raw;
    return encodeURIComponent(decoded);
  });
  const operation = path.indexOf('/model/');
  return operation > 0 ? path.slice(operation) : path;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function lowerCaseHeaders(
  single: Record<string, string | undefined>,
  multi: Record<string, string[] | undefined>,
): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(single)) headers[name.toLowerCase()] = value;
  for (const [name, values] of Object.entries(multi)) {
    if (values && values.length > 1) headers[name.toLowerCase()] = values.join(', ');
  }
  return headers;
}

function decodeBody(body: string | null | undefined, base64: boolean | undefined): Uint8Array {
  if (!body) return new Uint8Array();
  return base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}
