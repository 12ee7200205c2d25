import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** The SigV4 service name API Gateway checks IAM-authorized requests against. */
export const EXECUTE_API_SIGNING_NAME = 'execute-api';

/**
 * Options of `createInvocationClient`: the ordinary client configuration, less what the helper
 * sets, plus where the API is.
 *
 * A type alias, not an interface: it is built from the SDK's configuration type (`Omit` of it),
 * which jsii cannot express. The helper and its options are TypeScript (and JavaScript) only; jsii
 * leaves type aliases and free functions out of the assembly, so the construct API stays valid.
 */
export type InvocationClientOptions = Omit<BedrockRuntimeClientConfig, 'endpoint' | 'region' | 'signingName' | 'requestHandler'> & {
  /** The API URL with its stage path, e.g. the stack output `https://abc123.execute-api.us-east-2.amazonaws.com/v1`. */
  readonly apiUrl: string;
  /** The region the API is deployed in; it scopes the signature. */
  readonly region: string;
  /**
   * The HTTP handler.
   *
   * @default - an HTTP/1.1 `NodeHttpHandler`: API Gateway REST APIs speak HTTP/1.1, while the
   * client's default handler insists on HTTP/2
   */
  readonly requestHandler?: BedrockRuntimeClientConfig['requestHandler'];
};

/**
 * A `BedrockRuntimeClient` for the deployed invocation layer: its endpoint is the API (stage path
 * kept), its requests are SigV4-signed for `execute-api` in the API's region (what IAM
 * authorization on API Gateway checks) and go over HTTP/1.1. Everything else (credentials,
 * retries, logger) is the ordinary client configuration.
 */
export function createInvocationClient(options: InvocationClientOptions): BedrockRuntimeClient {
  const { apiUrl, region, requestHandler, ...rest } = options;
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new Error(`createInvocationClient: apiUrl '${apiUrl}' is not a URL; pass the API URL with its stage, e.g. https://abc123.execute-api.us-east-2.amazonaws.com/v1`);
  }
  // `signingName` is honoured by the SDK's SigV4 config resolver but missing from the client's
  // config type, hence the widened type.
  const config: BedrockRuntimeClientConfig & { signingName: string } = {
    ...rest,
    endpoint: url.href.replace(/\/$/, ''),
    region,
    signingName: EXECUTE_API_SIGNING_NAME,
    // A bearer token in the environment (AWS_BEARER_TOKEN_BEDROCK) must not replace the signature.
    authSchemePreference: ['sigv4'],
    requestHandler: requestHandler ?? new NodeHttpHandler(),
  };
  return new BedrockRuntimeClient(config);
}
