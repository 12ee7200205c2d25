import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IServerFleet } from '../fleet';

/**
 * Where the invocation layer's router sends prompts. `TrainiumPrefillFleet` implements it, and so
 * does the mock prefill worker of mock mode (`MockPrefillEndpoint`), which has no fleet behind it.
 */
export interface IPrefillEndpoint {
  /** Base URL (scheme://host:port) of the OpenAI-compatible server the router calls. */
  readonly endpointUrl: string;
  /** The `model` name the prefill workers serve. */
  readonly servedModelName: string;
  /**
   * Longest sequence (prompt plus output tokens) the servers accept, when they are started with a
   * limit (vLLM's `--max-model-len`); the router's context window is kept within it.
   * @default - no limit below the model's context window
   */
  readonly maxModelLength?: number;
  /**
   * Network reachability of the tier's front door (its load balancer); the router's security
   * group may reach its default port. A tier outside any VPC (mock mode's function URL) has
   * connections with no security group.
   */
  readonly connections: ec2.Connections;
  /**
   * The server fleet behind the tier, which the invocation layer scales on prefill load, alarms on
   * and charts.
   * @default - none: no scaling, no health alarm, no fleet graphs
   */
  readonly fleet?: IServerFleet;
  /** Grants a caller what it needs to call the tier beyond the network (e.g. a function URL). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
}
