import { Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Cs3Connection } from './cs3-connection';
import type { IDecodeEndpoint } from './decode-endpoint';
import { grantReadApiKey } from './grant-read-api-key';
import { DecodeKvCapability } from './decode-kv-capability';

/** Settings of a CS-3 decode endpoint other than how it is reached and the model it serves. */
export interface Cs3EndpointOptions {
  /**
   * The API key. Put the key in the secret's string.
   * @default - a new secret whose value you replace with the key after deploying
   */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /**
   * Whether the endpoint can pull KV blocks. `DecodeKvCapability.NIXL_PULL` declares a CS-3 that
   * ingests the prefill fleet's KV over EFA through the same hand-off contract as a Trainium decode
   * fleet (`kv_transfer_params`, `do_remote_prefill`): it needs an interface that is not public
   * today (no public interface loads a KV cache into a CS-3), and with it a prefill fleet is built.
   * @default DecodeKvCapability.PROMPT_REPLAY
   */
  readonly kvCapability?: DecodeKvCapability;
}

/** A CS-3 decode endpoint's settings in `DecodeBackend.cs3Url` and `DecodeBackend.cs3PrivateLink`. */
export interface Cs3DecodeOptions extends Cs3EndpointOptions {
  /**
   * The model name the CS-3 side serves (the `model` field to send), e.g. `llama-3.3-70b`.
   * @default - the prefill fleet's served model name
   */
  readonly servedModelName?: string;
}

/** Properties of a {@link Cs3DecodeEndpoint}. */
export interface Cs3DecodeEndpointProps extends Cs3EndpointOptions {
  /** How the CS-3 is reached: `Cs3Connection.url(...)` or `Cs3Connection.privateLink(...)`. */
  readonly connection: Cs3Connection;
  /** The model name the CS-3 side serves (the `model` field to send), e.g. `llama-3.3-70b`. */
  readonly servedModelName: string;
}

/** A Cerebras CS-3 decode endpoint, reached over https by URL or through PrivateLink (see {@link Cs3Connection}). */
export class Cs3DecodeEndpoint extends Construct implements IDecodeEndpoint {
  public readonly endpointUrl: string;
  public readonly servedModelName: string;
  public readonly kvCapability: DecodeKvCapability;
  /** The API key's secret (given, or created here); always set, optional as in `IDecodeEndpoint`. */
  public readonly apiKeySecret?: secretsmanager.ISecret;
  /** Reachability of the PrivateLink interface endpoint; no security group for a public URL. */
  public readonly connections: ec2.Connections;
  /** The interface endpoint, with PrivateLink. */
  public readonly vpcEndpoint?: ec2.InterfaceVpcEndpoint;
  /**
   * Cerebras' API takes "Up to 4 sequences" in `stop` (inference-docs.cerebras.ai/api-reference/chat-completions
   * and /completions); the router refuses more before they reach it.
   */
  public readonly maxStopSequences?: number = 4;

  constructor(scope: Construct, id: string, props: Cs3DecodeEndpointProps) {
    super(scope, id);
    // Required by the types; checked for callers in plain JavaScript.
    if (!props.connection) {
      throw new Error(
        `Cs3DecodeEndpoint '${this.node.path}': no \`connection\` given; give Cs3Connection.url('https://...') ` +
          'or Cs3Connection.privateLink(network, { serviceName }).',
      );
    }
    if (!props.servedModelName) {
      throw new Error(`Cs3DecodeEndpoint '${this.node.path}': servedModelName is empty; give the model name the CS-3 endpoint serves.`);
    }
    this.servedModelName = props.servedModelName;
    this.kvCapability = props.kvCapability ?? DecodeKvCapability.PROMPT_REPLAY;
    this.apiKeySecret = props.apiKeySecret ?? this.createApiKeySecret();
    const connection = props.connection.bind(this);
    this.endpointUrl = connection.endpointUrl;
    this.connections = connection.connections;
    this.vpcEndpoint = connection.vpcEndpoint;
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return grantReadApiKey(grantee, this.apiKeySecret);
  }

  private createApiKeySecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'ApiKey', {
      description: `API key of the CS-3 decode endpoint (${this.node.path}): replace this value with the key`,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The value is an API key issued by Cerebras; Secrets Manager cannot rotate it. Rotate it at the provider and update the secret.',
    });
    return secret;
  }
}
