import { TRAINIUM_INSTANCE_TYPES } from './instance-types';

/**
 * Instance families that run on the Xen hypervisor rather than the AWS Nitro System (EC2 User
 * Guide, "Instances built on the AWS Nitro System": every current family is Nitro-based except
 * these previous-generation ones). p3dn is the Nitro exception among p3, and `.metal` sizes of
 * i3 are Nitro.
 */
const XEN_FAMILIES = new Set([
  'c1', 'c3', 'c4', 'cc2', 'cr1', 'd2', 'f1', 'g2', 'g3', 'g3s', 'h1', 'hs1', 'i2', 'i3',
  'm1', 'm2', 'm3', 'm4', 'p2', 'p3', 'r3', 'r4', 't1', 't2', 'x1', 'x1e',
]);

/** True when the EC2 instance type runs on the AWS Nitro System. */
export function isNitroInstanceType(instanceType: string): boolean {
  const catalog = TRAINIUM_INSTANCE_TYPES.find((t) => t.name === instanceType);
  if (catalog) return catalog.nitroVersion > 0;
  const [family, size] = instanceType.split('.');
  return !XEN_FAMILIES.has(family) || size === 'metal';
}
