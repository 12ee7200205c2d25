import { Construct } from 'constructs';
import { KvTransferRole, TrainiumServerFleet, TrainiumServerFleetProps } from '../fleet';
import type { IDecodeEndpoint } from './decode-endpoint';
import { DecodeKvCapability } from './decode-kv-capability';

/** Properties of a {@link TrainiumDecodeFleet}. */
export interface TrainiumDecodeFleetProps extends TrainiumServerFleetProps {}

/**
 * Decode on Trainium: the same EFA launch template, Auto Scaling group and load balancer as the
 * prefill fleet, with vLLM as the KV consumer that pulls each prompt's KV blocks over EFA.
 */
export class TrainiumDecodeFleet extends TrainiumServerFleet implements IDecodeEndpoint {
  public readonly kvCapability = DecodeKvCapability.NIXL_PULL;

  constructor(scope: Construct, id: string, props: TrainiumDecodeFleetProps) {
    super(scope, id, props, KvTransferRole.CONSUMER);
  }
}
