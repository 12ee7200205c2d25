import { Token } from 'aws-cdk-lib';

/**
 * The TCP port a base URL (`scheme://host[:port][/path]`) names or implies. The host may be a
 * token (a load balancer's DNS name), so the URL is matched as text rather than parsed; the
 * scheme or the port must be literal.
 */
export function urlPort(url: string): number {
  const explicit = /^[a-z]+:\/\/[^/]*:(\d+)(?:\/|$)/i.exec(url);
  if (explicit && !Token.isUnresolved(explicit[1])) return Number(explicit[1]);
  if (url.startsWith('https://')) return 443;
  if (url.startsWith('http://')) return 80;
  throw new Error(`Cannot tell the port of endpoint URL '${url}'; use scheme://host:port.`);
}
