import { Resource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import type { IServerFleet } from '../fleet';
import { DecodeKvCapability } from './decode-kv-capability';
import { grantReadApiKey } from './grant-read-api-key';
import { urlPort } from './url-port';

/**
 * Where decode requests go. CS-3 cannot be created by CloudFormation, so decode is an endpoint
 * abstraction with several implementations: `Cs3DecodeEndpoint`, `TrainiumDecodeFleet`, or any
 * OpenAI-compatible server imported with `DecodeEndpoint.fromDecodeEndpointAttributes`.
 */
export interface IDecodeEndpoint extends IConstruct {
  /** Base URL `scheme://host:port` of the OpenAI-compatible server. */
  readonly endpointUrl: string;
  /** The `model` field to send. */
  readonly servedModelName: string;
  /** Whether the endpoint pulls KV blocks or needs the whole prompt. */
  readonly kvCapability: DecodeKvCapability;
  /** The endpoint's API key, when it needs one. */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /**
   * Longest sequence (prompt plus output tokens) the endpoint accepts, when it has a limit below
   * the model's context window; the router's context window is kept within it.
   */
  readonly maxModelLength?: number;
  /**
   * Most stop sequences one request may give, when the endpoint declares a limit (an OpenAI-style
   * API may take only a few; vLLM takes any number). The router refuses more with a message naming it.
   */
  readonly maxStopSequences?: number;
  /**
   * Network reachability of the endpoint. An endpoint outside the VPC (a CS-3 behind a public
   * URL, a server elsewhere) has connections with no security group.
   */
  readonly connections: ec2.Connections;
  /**
   * The server fleet behind the endpoint, which the invocation layer scales on decode load, alarms
   * on, charts, and routes to host by host.
   * @default - none (a CS-3, an endpoint built elsewhere): no scaling, no fleet alarms or graphs
   */
  readonly fleet?: IServerFleet;
  /** Grants a caller what it needs beyond the network (reading the API key, ...). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
}

/** Attributes of an existing decode endpoint. */
export interface DecodeEndpointAttributes {
  /** Base URL `scheme://host:port`. */
  readonly endpointUrl: string;
  /** The `model` field to send. */
  readonly servedModelName: string;
  /**
   * Whether it can pull KV blocks.
   * @default DecodeKvCapability.PROMPT_REPLAY
   */
  readonly kvCapability?: DecodeKvCapability;
  /**
   * Its API key.
   * @default - none
   */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /**
   * Longest sequence (prompt plus output tokens) it accepts.
   * @default - the model's context window
   */
  readonly maxModelLength?: number;
  /**
   * Most stop sequences one request may give.
   * @default - no limit (as vLLM)
   */
  readonly maxStopSequences?: number;
  /**
   * Security groups in front of it, when it is in a VPC.
   * @default - no network reachability to manage
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Port callers connect to, with `securityGroups`.
   * @default - the URL's port, else 443 for https and 80 for http
   */
  readonly port?: number;
}

/** Imports of decode endpoints defined elsewhere. */
export class DecodeEndpoint {
  /** A decode endpoint this app does not create: any OpenAI-compatible server by URL. */
  public static fromDecodeEndpointAttributes(scope: Construct, id: string, attrs: DecodeEndpointAttributes): IDecodeEndpoint {
    class Imported extends Resource implements IDecodeEndpoint {
      public readonly endpointUrl = attrs.endpointUrl;
      public readonly servedModelName = attrs.servedModelName;
      public readonly kvCapability = attrs.kvCapability ?? DecodeKvCapability.PROMPT_REPLAY;
      public readonly apiKeySecret = attrs.apiKeySecret;
      public readonly maxModelLength = attrs.maxModelLength;
      public readonly maxStopSequences = attrs.maxStopSequences;
      public readonly connections = attrs.securityGroups
        ? new ec2.Connections({ securityGroups: attrs.securityGroups, defaultPort: ec2.Port.tcp(attrs.port ?? urlPort(attrs.endpointUrl)) })
        : new ec2.Connections();

      public grantInvoke(grantee: iam.IGrantable): iam.Grant {
        return grantReadApiKey(grantee, this.apiKeySecret);
      }
    }
    return new Imported(scope, id);
  }

  private constructor() {}
}
