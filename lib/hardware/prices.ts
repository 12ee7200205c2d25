/**
 * On-demand EC2 prices of the Trainium instance types, with where and when each was seen. AWS's
 * price list is not reachable offline, so these are copies: check them before you budget with them.
 * A type without an entry has no public on-demand price (pass your own to the planner).
 */
export interface OnDemandPrice {
  /** Linux on-demand price in USD per instance-hour. */
  readonly usdPerHour: number;
  /** The region the price is for. */
  readonly region: string;
  /** When the source saw the price (ISO date). */
  readonly asOf: string;
  /** Where the price comes from. */
  readonly source: string;
}

/** instances.vantage.sh data as copied into github.com/tsaol/aws-gpu (data/trn*_instances.js). */
const VANTAGE = 'instances.vantage.sh, via github.com/tsaol/aws-gpu';

const PRICES: Readonly<Record<string, OnDemandPrice>> = {
  'trn1.2xlarge': { usdPerHour: 1.34375, region: 'us-east-1', asOf: '2026-01-21', source: `${VANTAGE} data/trn1_instances.js` },
  'trn1.32xlarge': { usdPerHour: 21.5, region: 'us-east-1', asOf: '2026-01-21', source: `${VANTAGE} data/trn1_instances.js` },
  'trn1n.32xlarge': { usdPerHour: 24.78, region: 'us-east-1', asOf: '2026-01-21', source: `${VANTAGE} data/trn1n_instances.js` },
  // The later copies of that file list no price for trn2.48xlarge; an LLMPerf report script gives
  // 35.7608 in us-east-1 "as of Feb 2026". trn2.3xlarge's "2.235" seen elsewhere is 35.76 / 16, an
  // estimate, not a price; trn2u.48xlarge is sold only with an UltraServer.
  'trn2.48xlarge': { usdPerHour: 35.76, region: 'us-east-2', asOf: '2025-11-30', source: `${VANTAGE} data/trn2_instances.js @2f6d954` },
};

/** The on-demand price of an instance type, or undefined when none is public. */
export function onDemandPrice(instanceType: string): OnDemandPrice | undefined {
  return PRICES[instanceType];
}
