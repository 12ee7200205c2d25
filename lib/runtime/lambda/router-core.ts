import type { DecodeRouteConfig, RegistryConfig } from '../routing/registry-config';
import { BedrockError, BedrockErrorType, errorResponse } from '../bedrock/errors';
import { BedrockGateway } from '../bedrock/gateway';
import type { HttpHandler } from '../http/http-types';
import { metricsLoadReader } from '../openai/vllm-metrics';
import type { FetchFunction } from '../routing/fetch-function';
import { RegistryWorkerDirectory } from '../routing/registry-worker-directory';
import { REGISTRY_ENV_VAR, requiredEnv } from './environment';
import { readSecretString } from './secrets';
import { createSignedFetch, type FetchLike } from './sigv4-fetch';
import { targetGroupDiscovery, type TargetGroupDiscoveryOptions } from './target-group-discovery';

/** Host names of Lambda function URLs, which take SigV4 (service `lambda`) under IAM auth. */
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

/**
 * The worker fetch of the deployed router: requests to Lambda function URLs (mock mode's
 * workers) are signed with the function's role; everything else (the fleets' hosts and load
 * balancers, the decode endpoint) goes out as is.
 */
export function workerFetch(plain: FetchLike = fetch): FetchLike {
  const signers = new Map<string, FetchLike>();
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const region = FUNCTION_URL_HOST.exec(url.hostname)?.[1];
    if (!region) return plain(input, init);
    let signed = signers.get(region);
    if (!signed) {
      signed = createSignedFetch({ region, service: 'lambda', fetch: plain });
      signers.set(region, signed);
    }
    return signed(input, init);
  };
}

/**
 * Reads each decode API key named by a Secrets Manager ARN in the registry, once per execution
 * environment, and answers the router's key lookups from memory (a key rotated in Secrets Manager
 * is picked up by the next cold start).
 */
export async function secretApiKeys(
  registry: RegistryConfig,
  read: (secretArn: string) => Promise<string> = (arn) => readSecretString(arn),
): Promise<(decode: DecodeRouteConfig) => string | undefined> {
  const decodes = registry.models.flatMap((m) => (m.optimizedDecode ? [m.decode, m.optimizedDecode] : [m.decode]));
  const arns = [...new Set(decodes.flatMap((d) => (d.apiKey?.secretArn ? [d.apiKey.secretArn] : [])))];
  const keys = new Map(await Promise.all(arns.map(async (arn) => [arn, await read(arn)] as const)));
  return (decode) => {
    const source = decode.apiKey;
    if (source?.secretArn) return keys.get(source.secretArn);
    return source?.envVar ? process.env[source.envVar] : undefined;
  };
}

/**
 * The deployed router's workers: the hosts its fleets' target groups call healthy, each with the
 * load its vLLM `/metrics` reports, cached for the execution environment (see RegistryWorkerDirectory).
 * Endpoints the registry names only by URL (a CS-3, mock mode's function URLs) serve no vLLM
 * `/metrics`, so only discovered hosts are asked for their load.
 */
export function deployedWorkerDirectory(fetch: FetchFunction, discovery: TargetGroupDiscoveryOptions = {}): RegistryWorkerDirectory {
  return new RegistryWorkerDirectory({
    discover: targetGroupDiscovery(discovery),
    readLoad: metricsLoadReader(fetch),
    readLoadOfListedWorkers: false,
  });
}

/** Builds the gateway the router functions run, from the registry the invocation layer set. */
export async function createRouterCore(env: NodeJS.ProcessEnv = process.env): Promise<HttpHandler> {
  const registry = JSON.parse(requiredEnv(REGISTRY_ENV_VAR, env)) as RegistryConfig;
  const fetch = workerFetch();
  const gateway = new BedrockGateway({
    registry,
    fetch,
    // Raw stdout, not console.log: the Lambda runtime prefixes console lines, and CloudWatch reads
    // embedded metrics only from log events that are the JSON document itself.
    telemetry: (line) => {
      process.stdout.write(line.endsWith('\n') ? line : `${line}\n`);
    },
    router: { resolveApiKey: await secretApiKeys(registry), workers: deployedWorkerDirectory(fetch) },
  });
  return (request) => gateway.handle(request);
}

let core: Promise<HttpHandler> | undefined;

/**
 * The router core, built once per execution environment on first use. When it cannot be built
 * (Secrets Manager unreachable, say) the request gets a ServiceUnavailableException the client
 * retries, rather than an opaque API Gateway 502, and the next request tries again.
 */
export async function routerCore(build: () => Promise<HttpHandler> = createRouterCore): Promise<HttpHandler> {
  core ??= build();
  try {
    return await core;
  } catch (error) {
    core = undefined;
    console.error('router start failed', error);
    const unavailable = errorResponse(
      new BedrockError(BedrockErrorType.SERVICE_UNAVAILABLE, 'The router could not start; retry shortly.'),
    );
    return async () => unavailable;
  }
}
