import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { KvTransferRole, TrainiumServerFleet, TrainiumServerFleetProps } from '../fleet';
import { IDecodeEndpoint, grantReadApiKey } from './decode-endpoint';
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

  /** Nothing beyond the network: the server has no API key; reach it through `connections`. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return grantReadApiKey(grantee, undefined);
  }
}
