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
}

/** The context keys, with how each value is read. */
const KEYS: { [K in keyof DefaultAppContext]-?: 'string' | 'count' | 'time' } = {
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
};

/** Every context key the default app reads. */
export const DEFAULT_APP_CONTEXT_KEYS = Object.keys(KEYS) as Array<keyof DefaultAppContext>;

/** An ISO 8601 time with an explicit UTC `Z` (seconds and fractions optional). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/**
 * Reads the default app's context. Values from `-c` arrive as strings; counts must be whole
 * numbers, times ISO 8601 in UTC. A key given with an empty value is kept as '' so the construct
 * that uses it can say what is missing (e.g. a Capacity Block without its reservation id).
 */
export function readDefaultAppContext(scope: Construct): DefaultAppContext {
  const context: Record<string, string | number | Date> = {};
  for (const key of DEFAULT_APP_CONTEXT_KEYS) {
    const raw = scope.node.tryGetContext(key);
    if (raw === undefined || raw === null) continue;
    if (KEYS[key] === 'count') {
      const value = Number(raw);
      if (String(raw).trim() === '' || !Number.isInteger(value) || value < 0) {
        throw new Error(`Context ${key}='${raw}' is not a whole number of instances; pass e.g. -c ${key}=2.`);
      }
      context[key] = value;
    } else if (KEYS[key] === 'time') {
      const value = new Date(String(raw));
      if (!UTC_TIME.test(String(raw)) || Number.isNaN(value.getTime())) {
        throw new Error(`Context ${key}='${raw}' is not an ISO 8601 UTC time; pass e.g. -c ${key}=2026-08-05T11:30:00Z.`);
      }
      context[key] = value;
    } else {
      context[key] = String(raw);
    }
  }
  return context as DefaultAppContext;
}
