import { Construct } from 'constructs';
import { KvTransferRole, TrainiumServerFleet, TrainiumServerFleetProps } from '../fleet';
import type { IPrefillEndpoint } from './prefill-endpoint';

/** Properties of a {@link TrainiumPrefillFleet}. */
export interface TrainiumPrefillFleetProps extends TrainiumServerFleetProps {}

/**
 * A group of Trainium instances doing prefill: vLLM with the Neuron plugin computes each prompt's
 * KV cache and holds it for the decode side to pull over EFA (vLLM's NIXL connector, KV producer).
 * Behind an internal Network Load Balancer whose `/health` check gates traffic.
 */
export class TrainiumPrefillFleet extends TrainiumServerFleet implements IPrefillEndpoint {
  constructor(scope: Construct, id: string, props: TrainiumPrefillFleetProps) {
    super(scope, id, props, KvTransferRole.PRODUCER);
  }
}
