import { Fn, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { IEfaNetwork } from '../network';

/** A CS-3 endpoint offered to this account as a PrivateLink endpoint service. */
export interface Cs3PrivateLinkOptions {
  /** The endpoint service name, e.g. `com.amazonaws.vpce.us-east-2.vpce-svc-0123456789abcdef0`. */
  readonly serviceName: string;
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

/** What a {@link Cs3Connection} gives the endpoint it is bound to. */
export interface Cs3ConnectionConfig {
  /** Base URL `https://host[:port]` of the CS-3's OpenAI-compatible API. */
  readonly endpointUrl: string;
  /** Network reachability of the endpoint: the interface endpoint's, or none for a public URL. */
  readonly connections: ec2.Connections;
  /**
   * The interface endpoint created for PrivateLink.
   * @default - none: the CS-3 is reached over the internet
   */
  readonly vpcEndpoint?: ec2.InterfaceVpcEndpoint;
}

/** How a {@link Cs3DecodeEndpoint} reaches the CS-3: by https URL, or through PrivateLink. */
export abstract class Cs3Connection {
  /**
   * The CS-3's OpenAI-compatible API at a public https base URL (no path), e.g. `https://api.example.com`.
   * It has no fixed address, so the router may send HTTPS anywhere.
   */
  public static url(url: string): Cs3Connection {
    return new UrlConnection(url);
  }

  /**
   * A CS-3 offered as a PrivateLink endpoint service: an interface endpoint in the network's EFA
   * subnet, reachable through its `connections`.
   */
  public static privateLink(network: IEfaNetwork, options: Cs3PrivateLinkOptions): Cs3Connection {
    return new PrivateLinkConnection(network, options);
  }

  /** Creates what the connection needs in `scope` (the endpoint construct) and says where the CS-3 is. */
  public abstract bind(scope: Construct): Cs3ConnectionConfig;
}

class UrlConnection extends Cs3Connection {
  constructor(private readonly url: string) {
    super();
  }

  public bind(scope: Construct): Cs3ConnectionConfig {
    return { endpointUrl: validateUrl(scope, this.url), connections: new ec2.Connections() };
  }
}

class PrivateLinkConnection extends Cs3Connection {
  constructor(
    private readonly network: IEfaNetwork,
    private readonly options: Cs3PrivateLinkOptions,
  ) {
    super();
  }

  public bind(scope: Construct): Cs3ConnectionConfig {
    const port = this.options.port ?? 443;
    const vpcEndpoint = new ec2.InterfaceVpcEndpoint(scope, 'Endpoint', {
      vpc: this.network.vpc,
      service: new ec2.InterfaceVpcEndpointService(this.options.serviceName, port),
      subnets: this.network.subnetSelection,
      privateDnsEnabled: this.options.privateDnsName !== undefined,
      // Callers are let in through `connections`, not the whole VPC.
      open: false,
    });
    const host = this.options.privateDnsName
      ?? Fn.select(1, Fn.split(':', Fn.select(0, vpcEndpoint.vpcEndpointDnsEntries)));
    return {
      endpointUrl: port === 443 ? `https://${host}` : `https://${host}:${port}`,
      connections: vpcEndpoint.connections,
      vpcEndpoint,
    };
  }
}

/** The base URL as `https://host[:port]`; anything else is an error naming the fix. */
function validateUrl(scope: Construct, url: string): string {
  if (Token.isUnresolved(url)) return url;
  const where = `Cs3DecodeEndpoint '${scope.node.path}'`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${where}: url '${url}' is not a URL; give the endpoint's https base URL, e.g. https://api.example.com.`);
  }
  if (parsed.protocol !== 'https:') {
    throw new Error(
      `${where}: url '${url}' is not https. The decode endpoint receives prompts and an API key, ` +
        `so give an https:// URL (e.g. https://${parsed.host || 'api.example.com'}), or reach it privately with \`Cs3Connection.privateLink\`.`,
    );
  }
  if (parsed.pathname !== '/' || parsed.search || parsed.hash) {
    throw new Error(
      `${where}: url '${url}' has a path; give the base URL only (https://${parsed.host}), ` +
        'the router adds the OpenAI-compatible paths (/v1/chat/completions).',
    );
  }
  return `https://${parsed.host}`;
}
