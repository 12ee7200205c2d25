/**
 * `/runtime`: the Bedrock-compatible gateway for people who embed it in their own server or
 * function, rather than deploy it with the constructs.
 *
 * TypeScript-only: this is code that runs (no aws-cdk-lib, no constructs), outside the jsii
 * surface of the construct library, so it has no Python, Java or .NET bindings and follows
 * TypeScript's idioms (unions, function types) rather than jsii's. The protocol internals
 * (operations, router, prefill and decode stages) stay module-private.
 */
// The gateway: the Bedrock Runtime protocol in front of the router, transport-neutral.
export * from './bedrock/gateway';
export * from './bedrock/errors';
export type { RouterOptions } from './routing/generation';
// How the router picks workers (RouterOptions.routing).
export { Routing, DEFAULT_ROUTING } from './routing/routing';
// Where it finds its workers (RouterOptions.workers): the registry's URLs, or hosts a `discover`
// function finds, each with its own load read from vLLM's /metrics.
export * from './routing/worker-directory';
export { RegistryWorkerDirectory, type RegistryWorkerDirectoryOptions } from './routing/registry-worker-directory';
export { metricsLoadReader } from './openai/vllm-metrics';
// What it serves: the registry, as JSON.
export * from './routing/registry-config';
export { DEFAULT_TIMEOUTS, type ModelRoute } from './routing/registry';
// The transport-neutral HTTP contract, and the Node server adapter around it.
export * from './http/http-types';
export * from './server/node-server';
// The worker client the router calls workers with, and its contract (for a client of your own).
export * from './routing/fetch-function';
export * from './routing/node-fetch';
// Telemetry: the sink request lines go to, and the names in them.
export * from './telemetry/stdout-sink';
export * from './telemetry/schema';
