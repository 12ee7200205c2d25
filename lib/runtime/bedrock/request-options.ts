import type { LatencyTier } from '../routing/generation';
import type { ModelRoute } from '../routing/registry';
import { validationError } from './errors';
import { excerpt, optionalEnum, requireObject } from './validation';

/** Request fields Converse and InvokeModel share in meaning: the latency tier and the request's log metadata. */

export const LATENCY_TIERS: readonly LatencyTier[] = ['standard', 'optimized'];

/** Converse's `performanceConfig` (`{latency: 'standard' | 'optimized'}`); absent is standard. */
export function parsePerformanceConfig(value: unknown): LatencyTier {
  if (value === undefined || value === null) return 'standard';
  return optionalEnum(requireObject(value, 'performanceConfig').latency, 'performanceConfig.latency', LATENCY_TIERS) ?? 'standard';
}

/** InvokeModel's latency tier, from its `X-Amzn-Bedrock-PerformanceConfig-Latency` header. */
export function latencyHeader(headers: Record<string, string | undefined>): LatencyTier {
  return optionalEnum(headers['x-amzn-bedrock-performanceconfig-latency'], 'The X-Amzn-Bedrock-PerformanceConfig-Latency header', LATENCY_TIERS) ?? 'standard';
}

/** Header that echoes the tier that served an InvokeModel answer. */
export const LATENCY_HEADER = 'x-amzn-bedrock-performanceconfig-latency';

/**
 * `requestMetadata`'s limits, from the Converse API reference: at most 16 pairs; keys 1 to 256 and
 * values 0 to 256 characters of `[a-zA-Z0-9\s:_@$#=/+,-.]` (bedrock-runtime service model,
 * RequestMetadataKeyString / RequestMetadataValueString).
 */
const MAX_METADATA_PAIRS = 16;
const METADATA_KEY = /^[a-zA-Z0-9\s:_@$#=/+,\-.]{1,256}$/;
const METADATA_VALUE = /^[a-zA-Z0-9\s:_@$#=/+,\-.]{0,256}$/;

/** Converse's `requestMetadata`: string pairs written into the request's log line. */
export function parseRequestMetadata(value: unknown): Readonly<Record<string, string>> | undefined {
  if (value === undefined || value === null) return undefined;
  const pairs = requireObject(value, 'requestMetadata');
  const keys = Object.keys(pairs);
  if (keys.length > MAX_METADATA_PAIRS) throw validationError(`requestMetadata has ${keys.length} pairs; at most ${MAX_METADATA_PAIRS} are allowed.`);
  for (const key of keys) {
    if (!METADATA_KEY.test(key)) {
      throw validationError(`requestMetadata key ${excerpt(key)} must be 1 to 256 letters, digits, spaces or :_@$#=/+,-. characters.`);
    }
    const pair = pairs[key];
    if (typeof pair !== 'string' || !METADATA_VALUE.test(pair)) {
      throw validationError(`requestMetadata value of ${excerpt(key)} must be a string of up to 256 letters, digits, spaces or :_@$#=/+,-. characters; got ${excerpt(pair)}.`);
    }
  }
  return pairs as Record<string, string>;
}

/**
 * The stop-sequence limit a request must keep: that of every decode route that may serve it (an
 * optimized request may fall back to standard), with the endpoint that sets it, for the message.
 */
export function stopSequenceLimit(route: ModelRoute, latency: LatencyTier): { limit?: number; owner: string } {
  const routes = [route.config.decode];
  if (latency === 'optimized' && route.config.optimizedDecode) routes.push(route.config.optimizedDecode);
  let found: { limit?: number; owner: string } = { owner: 'this model' };
  for (const decode of routes) {
    const limit = decode.maxStopSequences;
    if (limit !== undefined && (found.limit === undefined || limit < found.limit)) {
      found = { limit, owner: `this model's ${decode === route.config.decode ? 'standard' : 'optimized'} decode endpoint` };
    }
  }
  return found;
}
