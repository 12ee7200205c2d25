import { Construct } from 'constructs';

/** The choices the default app reads from CDK context (`-c key=value` or cdk.json). */
export interface DefaultAppContext {
  /**
   * `prefillInstanceType`: EC2 type of the prefill fleet.
   * @default trn2.48xlarge
   */
  readonly prefillInstanceType?: string;
  /**
   * `prefillMinCapacity`: fewest prefill instances.
   * @default 1
   */
  readonly prefillMinCapacity?: number;
  /**
   * `prefillMaxCapacity`: most prefill instances.
   * @default - the larger of `prefillMinCapacity` and 2
   */
  readonly prefillMaxCapacity?: number;
  /**
   * `decodeEndpointUrl`: https URL of a CS-3 endpoint.
   * @default - none: decode runs on a Trainium decode fleet
   */
  readonly decodeEndpointUrl?: string;
  /**
   * `decodeModelName`: the model name the CS-3 endpoint serves.
   * @default - the prefill fleet's served model name
   */
  readonly decodeModelName?: string;
  /**
   * `capacityBlockReservationId`: run prefill on this Capacity Block (`cr-...`); needs
   * `capacityBlockStart`, `capacityBlockEnd` and `capacityBlockInstanceCount`.
   * @default - on-demand prefill instances
   */
  readonly capacityBlockReservationId?: string;
  /**
   * `capacityBlockStart`: the block's start, an ISO 8601 UTC time (`2026-08-05T11:30:00Z`).
   * @default - none; required with `capacityBlockReservationId`
   */
  readonly capacityBlockStart?: Date;
  /**
   * `capacityBlockEnd`: the block's end, an ISO 8601 UTC time.
   * @default - none; required with `capacityBlockReservationId`
   */
  readonly capacityBlockEnd?: Date;
  /**
   * `capacityBlockInstanceCount`: the instances the block reserves.
   * @default - none; required with `capacityBlockReservationId`
   */
  readonly capacityBlockInstanceCount?: number;
  /**
   * `availabilityZone`: zone of the EFA subnet (a Capacity Block's zone).
   * @default - the VPC's first Availability Zone
   */
  readonly availabilityZone?: string;
  /**
   * `mode`: `mock` deploys the same API in front of the mock workers in Lambda (no EC2, no Trainium).
   * @default - Trainium prefill and the chosen decode endpoint
   */
  readonly mode?: string;
  /**
   * `requestsPerSecond`: the arrival rate to size the fleets for; with an SLO key, the synth adds a
   * capacity plan (an info annotation, `<id>.plan.json` in the cloud assembly, a warning when the
   * configured capacities miss the SLO).
   * @default - no capacity plan
   */
  readonly requestsPerSecond?: number;
  /**
   * `inputTokens`: prompt length of the plan's workload.
   * @default 2000
   */
  readonly inputTokens?: number;
  /**
   * `outputTokens`: answer length of the plan's workload.
   * @default 500
   */
  readonly outputTokens?: number;
  /**
   * `prefixCacheHitRate`: share of each prompt already cached (0 to below 1).
   * @default 0
   */
  readonly prefixCacheHitRate?: number;
  /**
   * `concurrency`: requests the clients keep in flight at most.
   * @default - no limit
   */
  readonly concurrency?: number;
  /**
   * `sloTtftP90Ms`: time-to-first-token target at p90, in ms.
   * @default - no TTFT target
   */
  readonly sloTtftP90Ms?: number;
  /**
   * `sloTpotP90Ms`: time-per-output-token target at p90, in ms.
   * @default - no TPOT target
   */
  readonly sloTpotP90Ms?: number;
  /**
   * `apiKeys`: `true` also accepts Bedrock-style bearer API keys under `<ApiUrl>/key`.
   * @default false - IAM (SigV4) only
   */
  readonly apiKeys?: boolean;
}

/** How a key's value is read: a string, a count of instances, a whole number, a non-negative number, a UTC time, or a flag. */
const KEYS: { [K in keyof DefaultAppContext]-?: 'string' | 'count' | 'integer' | 'number' | 'time' | 'flag' } = {
  prefillInstanceType: 'string',
  prefillMinCapacity: 'count',
  prefillMaxCapacity: 'count',
  decodeEndpointUrl: 'string',
  decodeModelName: 'string',
  capacityBlockReservationId: 'string',
  capacityBlockStart: 'time',
  capacityBlockEnd: 'time',
  capacityBlockInstanceCount: 'count',
  availabilityZone: 'string',
  mode: 'string',
  requestsPerSecond: 'number',
  inputTokens: 'integer',
  outputTokens: 'integer',
  prefixCacheHitRate: 'number',
  concurrency: 'integer',
  sloTtftP90Ms: 'number',
  sloTpotP90Ms: 'number',
  apiKeys: 'flag',
};

/** Every context key the default app reads. */
export const DEFAULT_APP_CONTEXT_KEYS = Object.keys(KEYS) as Array<keyof DefaultAppContext>;

/** An ISO 8601 time with an explicit UTC `Z` (seconds and fractions optional). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/**
 * Reads the default app's context. Values from `-c` arrive as strings; counts must be whole
 * numbers, numbers non-negative, times ISO 8601 in UTC, flags `true` or `false`. A key given with an empty value is kept as '' so the
 * construct that uses it can say what is missing (e.g. a Capacity Block without its reservation id).
 */
export function readDefaultAppContext(scope: Construct): DefaultAppContext {
  const context: Record<string, string | number | Date | boolean> = {};
  for (const key of DEFAULT_APP_CONTEXT_KEYS) {
    const raw = scope.node.tryGetContext(key);
    if (raw === undefined || raw === null) continue;
    const kind = KEYS[key];
    if (kind === 'time') {
      const value = new Date(String(raw));
      if (!UTC_TIME.test(String(raw)) || Number.isNaN(value.getTime())) {
        throw new Error(`Context ${key}='${raw}' is not an ISO 8601 UTC time; pass e.g. -c ${key}=2026-08-05T11:30:00Z.`);
      }
      context[key] = value;
    } else if (kind === 'flag') {
      if (!['true', 'false'].includes(String(raw))) {
        throw new Error(`Context ${key}='${raw}' is not true or false; pass e.g. -c ${key}=true.`);
      }
      context[key] = String(raw) === 'true';
    } else if (kind !== 'string') {
      const value = Number(raw);
      const whole = kind !== 'number';
      if (String(raw).trim() === '' || !Number.isFinite(value) || value < 0 || (whole && !Number.isInteger(value))) {
        const what = kind === 'count' ? 'a whole number of instances' : whole ? 'a whole number' : 'a non-negative number';
        throw new Error(`Context ${key}='${raw}' is not ${what}; pass e.g. -c ${key}=2.`);
      }
      context[key] = value;
    } else if (KEYS[key] === 'flag') {
      if (!['true', 'false'].includes(String(raw))) {
        throw new Error(`Context ${key}='${raw}' is not true or false; pass e.g. -c ${key}=true.`);
      }
      context[key] = String(raw) === 'true';
    } else {
      context[key] = String(raw);
    }
  }
  return context as DefaultAppContext;
}
