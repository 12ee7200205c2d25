import type { Template } from 'aws-cdk-lib/assertions';
import { REGISTRY_ENV_VAR } from '../../lib/runtime/lambda/environment';
import type { RegistryConfig } from '../../lib/runtime/routing/registry-config';

/**
 * The registry a router function of `template` is configured with, read back from its environment
 * variable (`handler`: `index.handler` for the buffered function, `index.streamingHandler` for the
 * streaming one). CloudFormation values in it (a load balancer's DNS name, a secret's ARN) come
 * back as placeholders such as `{Fn::GetAtt:[PrefillLb...,DNSName]}` inside their strings.
 */
export function routerRegistry(template: Template, handler = 'index.handler'): RegistryConfig {
  const fn = (Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: Record<string, any> }>).find(
    (f) => f.Properties.Handler === handler && f.Properties.Environment?.Variables?.[REGISTRY_ENV_VAR] !== undefined,
  );
  if (!fn) throw new Error(`no router function with handler ${handler} in the template`);
  const value = fn.Properties.Environment.Variables[REGISTRY_ENV_VAR];
  if (typeof value === 'string') return JSON.parse(value);
  const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
  // A token sits inside a JSON string of the registry; its placeholder must carry no quote or backslash.
  const text = parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part).replace(/["\\]/g, ''))).join(separator);
  return JSON.parse(text);
}
