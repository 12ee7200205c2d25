import { createSignedFetch, type FetchLike } from './sigv4-fetch';
import { findDescendant, parseXml, textAt, type XmlElement } from './xml';

/**
 * An AWS API spoken in the Query protocol: an `Action` and its parameters form-encoded in a POST to
 * the service's regional endpoint, signed with SigV4, answered in XML. ELBv2 speaks it (its service
 * model's `protocols: ["query"]`, botocore data/elbv2/2015-12-01; aws-sdk-js-v3's client uses
 * `AwsQueryProtocol`), and EC2 its own variant of it (`ec2`), whose requests look the same.
 */
export interface QueryApi {
  /** Endpoint prefix and SigV4 signing name. */
  readonly service: string;
  /** The API version every request names. */
  readonly version: string;
}

export const ELBV2_API: QueryApi = { service: 'elasticloadbalancing', version: '2015-12-01' };
export const EC2_API: QueryApi = { service: 'ec2', version: '2016-11-15' };

/** A refusal from an AWS API: its error code (`Throttling`, `AccessDenied`, ...) and message. */
export class AwsApiError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status: number,
  ) {
    super(`${code}: ${message} (HTTP ${status})`);
  }
}

/** How {@link callQueryApi} reaches the API. */
export interface QueryCallOptions {
  /** Region of the API. */
  readonly region: string;
  /**
   * Base URL of the API (a local fake in tests). @default `https://<service>.<region>.amazonaws.com`
   * (`.amazonaws.com.cn` in China), which inside a VPC with an interface endpoint and private DNS
   * answers from the endpoint
   */
  readonly endpoint?: string;
  /** @default the global fetch */
  readonly fetch?: FetchLike;
  readonly signal?: AbortSignal;
}

/** The default endpoint of `service` in `region`. */
export function queryEndpoint(service: string, region: string): string {
  return `https://${service}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/**
 * Calls `action` with `params` and returns the answer's root element. Throws an {@link AwsApiError}
 * with the error code when the API refuses (ELBv2's `<ErrorResponse><Error>`, EC2's
 * `<Response><Errors><Error>`: both have an `Error` with `Code` and `Message`).
 */
export async function callQueryApi(api: QueryApi, action: string, params: Record<string, string>, options: QueryCallOptions): Promise<XmlElement> {
  const send = createSignedFetch({ region: options.region, service: api.service, fetch: options.fetch });
  const endpoint = options.endpoint ?? queryEndpoint(api.service, options.region);
  const response = await send(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Action: action, Version: api.version, ...params }).toString(),
    signal: options.signal,
  });
  const text = await response.text();
  let answer: XmlElement;
  try {
    answer = parseXml(text);
  } catch {
    throw new AwsApiError(response.ok ? 'MalformedAnswer' : `HTTP${response.status}`, text.slice(0, 200), response.status);
  }
  if (!response.ok) {
    const error = findDescendant(answer, 'Error');
    throw new AwsApiError(textAt(error, 'Code') ?? 'UnknownError', textAt(error, 'Message') ?? text.slice(0, 200), response.status);
  }
  return answer;
}
