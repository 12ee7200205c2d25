import { onDemandPrice } from '../../hardware';
import type { DecodeTier, PrefillTier } from '../serving-config';

/** A host's price per hour and where it comes from; no price when none is public and none was given. */
export interface HostPrice {
  readonly usdPerHour?: number;
  readonly source: string;
}

/** Prices given for hosts the catalog has no price for (or to override it). */
export interface PriceOverrides {
  readonly prefillUsdPerHour?: number;
  readonly decodeUsdPerHour?: number;
}

export interface CostEstimate {
  /** The whole fleet, per hour; undefined while a tier has no price. */
  readonly usdPerHour?: number;
  /** Per million output tokens delivered at the workload's rate; undefined without a price. */
  readonly usdPerMillionOutputTokens?: number;
}

function trainiumPrice(instanceType: string, override: number | undefined, flag: string): HostPrice {
  if (override !== undefined) return { usdPerHour: override, source: 'given' };
  const price = onDemandPrice(instanceType);
  if (!price) return { source: `no public on-demand price for ${instanceType}: give one with ${flag}` };
  return { usdPerHour: price.usdPerHour, source: `on-demand in ${price.region} as of ${price.asOf}: ${price.source}` };
}

/** The price of one host of each tier. */
export function hostPrices(prefill: PrefillTier, decode: DecodeTier, overrides: PriceOverrides = {}): { prefill: HostPrice; decode: HostPrice } {
  const decodePrice: HostPrice = decode.instanceType
    ? trainiumPrice(decode.instanceType, overrides.decodeUsdPerHour, '--decode-usd-per-hour')
    : overrides.decodeUsdPerHour !== undefined
      ? { usdPerHour: overrides.decodeUsdPerHour, source: 'given' }
      : { source: 'Cerebras publishes no CS-3 price: give one with --decode-usd-per-hour' };
  return { prefill: trainiumPrice(prefill.instanceType, overrides.prefillUsdPerHour, '--prefill-usd-per-hour'), decode: decodePrice };
}

/** What `prefillHosts` and `decodeHosts` cost, and per million of the output tokens they deliver. */
export function estimateCost(
  prices: { prefill: HostPrice; decode: HostPrice },
  hosts: { prefillHosts: number; decodeHosts: number },
  outputTokensPerSecond: number,
): CostEstimate {
  const prefill = hosts.prefillHosts === 0 ? 0 : prices.prefill.usdPerHour;
  const decode = prices.decode.usdPerHour;
  if (prefill === undefined || decode === undefined) return {};
  const usdPerHour = prefill * hosts.prefillHosts + decode * hosts.decodeHosts;
  const millionsPerHour = (outputTokensPerSecond * 3600) / 1e6;
  return { usdPerHour, usdPerMillionOutputTokens: millionsPerHour > 0 ? usdPerHour / millionsPerHour : undefined };
}
