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
   * `capacityBlockReservationId`: run prefill on this Capacity Block (`cr-...`).
   * @default - on-demand prefill instances
   */
  readonly capacityBlockReservationId?: string;
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
   * `apiKeys`: `true` also accepts Bedrock-style bearer API keys under `<ApiUrl>/key`.
   * @default false - IAM (SigV4) only
   */
  readonly apiKeys?: boolean;
}

/** The context keys, with how each value is read. */
const KEYS: { [K in keyof DefaultAppContext]-?: 'string' | 'count' | 'flag' } = {
  prefillInstanceType: 'string',
  prefillMinCapacity: 'count',
  prefillMaxCapacity: 'count',
  decodeEndpointUrl: 'string',
  decodeModelName: 'string',
  capacityBlockReservationId: 'string',
  availabilityZone: 'string',
  mode: 'string',
  apiKeys: 'flag',
};

/** Every context key the default app reads. */
export const DEFAULT_APP_CONTEXT_KEYS = Object.keys(KEYS) as Array<keyof DefaultAppContext>;

/**
 * Reads the default app's context. Values from `-c` arrive as strings; counts must be whole
 * numbers, flags `true` or `false`. A key given with an empty value is kept as '' so the construct that uses it can say
 * what is missing (e.g. a Capacity Block without its reservation id).
 */
export function readDefaultAppContext(scope: Construct): DefaultAppContext {
  const context: Record<string, string | number | boolean> = {};
  for (const key of DEFAULT_APP_CONTEXT_KEYS) {
    const raw = scope.node.tryGetContext(key);
    if (raw === undefined || raw === null) continue;
    if (KEYS[key] === 'count') {
      const value = Number(raw);
      if (String(raw).trim() === '' || !Number.isInteger(value) || value < 0) {
        throw new Error(`Context ${key}='${raw}' is not a whole number of instances; pass e.g. -c ${key}=2.`);
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
