import { Fn, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IEfaNetwork } from '../network';
import { IDecodeEndpoint, grantReadApiKey } from './decode-endpoint';
import { DecodeKvCapability } from './decode-kv-capability';

/** A CS-3 endpoint offered to this account as a PrivateLink endpoint service. */
export interface Cs3PrivateLinkOptions {
  /** The endpoint service name, e.g. `com.amazonaws.vpce.us-east-2.vpce-svc-0123456789abcdef0`. */
  readonly serviceName: string;
  /** The network whose EFA subnet gets the interface endpoint. */
  readonly network: IEfaNetwork;
  /**
   * The service's private DNS name. When set, private DNS is enabled and the URL uses this name,
   * which the provider's TLS certificate covers.
   * @default - the endpoint's regional DNS name (TLS then needs a certificate for that name)
   */
  readonly privateDnsName?: string;
  /**
   * Port the service listens on.
   * @default 443
   */
  readonly port?: number;
}

/** Properties of a {@link Cs3DecodeEndpoint}. Give exactly one of `url` and `privateLink`. */
export interface Cs3DecodeEndpointProps {
  /**
   * Base URL of the CS-3's OpenAI-compatible API; must be `https`.
   * @default - none: give `privateLink` instead
   */
  readonly url?: string;
  /**
   * Reach the CS-3 through a PrivateLink endpoint service.
   * @default - none: give `url` instead
   */
  readonly privateLink?: Cs3PrivateLinkOptions;
  /** The model name the CS-3 side serves (the `model` field to send), e.g. `llama-3.3-70b`. */
  readonly servedModelName: string;
  /**
   * The API key. Put the key in the secret's string.
   * @default - a new secret whose value you replace with the key after deploying
   */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /**
   * Whether the endpoint can pull KV blocks. No public interface loads a KV cache into a CS-3.
   * @default DecodeKvCapability.PROMPT_REPLAY
   */
  readonly kvCapability?: DecodeKvCapability;
}

/** A Cerebras CS-3 decode endpoint, reached over https by URL or through PrivateLink. */
export class Cs3DecodeEndpoint extends Construct implements IDecodeEndpoint {
  public readonly endpointUrl: string;
  public readonly servedModelName: string;
  public readonly kvCapability: DecodeKvCapability;
  public readonly apiKeySecret: secretsmanager.ISecret;
  /** Reachability of the PrivateLink interface endpoint; none for a public URL. */
  public readonly connections?: ec2.Connections;
  /** The interface endpoint, with PrivateLink. */
  public readonly vpcEndpoint?: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: Cs3DecodeEndpointProps) {
    super(scope, id);
    if ((props.url === undefined) === (props.privateLink === undefined)) {
      throw new Error(
        `Cs3DecodeEndpoint '${this.node.path}': give exactly one of \`url\` (an https URL) and \`privateLink\` ` +
          '(an endpoint service name); got ' + (props.url === undefined ? 'neither.' : 'both.'),
      );
    }
    if (!props.servedModelName) {
      throw new Error(`Cs3DecodeEndpoint '${this.node.path}': servedModelName is empty; give the model name the CS-3 endpoint serves.`);
    }
    this.servedModelName = props.servedModelName;
    this.kvCapability = props.kvCapability ?? DecodeKvCapability.PROMPT_REPLAY;
    this.apiKeySecret = props.apiKeySecret ?? this.createApiKeySecret();
    if (props.privateLink) {
      this.vpcEndpoint = this.createVpcEndpoint(props.privateLink);
      this.connections = this.vpcEndpoint.connections;
      const port = props.privateLink.port ?? 443;
      const host = props.privateLink.privateDnsName
        ?? Fn.select(1, Fn.split(':', Fn.select(0, this.vpcEndpoint.vpcEndpointDnsEntries)));
      this.endpointUrl = port === 443 ? `https://${host}` : `https://${host}:${port}`;
    } else {
      this.endpointUrl = this.validateUrl(props.url as string);
    }
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return grantReadApiKey(grantee, this.apiKeySecret);
  }

  /** The base URL as `https://host[:port]`; anything else is an error naming the fix. */
  private validateUrl(url: string): string {
    if (Token.isUnresolved(url)) return url;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`Cs3DecodeEndpoint '${this.node.path}': url '${url}' is not a URL; give the endpoint's https base URL, e.g. https://api.example.com.`);
    }
    if (parsed.protocol !== 'https:') {
      throw new Error(
        `Cs3DecodeEndpoint '${this.node.path}': url '${url}' is not https. The decode endpoint receives prompts and an API key, ` +
          `so give an https:// URL (e.g. https://${parsed.host || 'api.example.com'}), or reach it privately with \`privateLink\`.`,
      );
    }
    if (parsed.pathname !== '/' || parsed.search || parsed.hash) {
      throw new Error(
        `Cs3DecodeEndpoint '${this.node.path}': url '${url}' has a path; give the base URL only (https://${parsed.host}), ` +
          'the router adds the OpenAI-compatible paths (/v1/chat/completions).',
      );
    }
    return `https://${parsed.host}`;
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

  private createVpcEndpoint(options: Cs3PrivateLinkOptions): ec2.InterfaceVpcEndpoint {
    return new ec2.InterfaceVpcEndpoint(this, 'Endpoint', {
      vpc: options.network.vpc,
      service: new ec2.InterfaceVpcEndpointService(options.serviceName, options.port ?? 443),
      subnets: options.network.subnetSelection,
      privateDnsEnabled: options.privateDnsName !== undefined,
      // Callers are let in through `connections`, not the whole VPC.
      open: false,
    });
  }
}
