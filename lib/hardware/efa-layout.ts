import { InstanceTypeSpec, efaInstanceTypes } from './instance-types';

/** The EC2 `InterfaceType` values a launch template's network interface can take. */
export type EfaInterfaceType = 'interface' | 'efa' | 'efa-only';

/** One network interface of a launch template: which card, which device index, which kind. */
export interface EfaInterfaceSlot {
  readonly networkCardIndex: number;
  readonly deviceIndex: number;
  readonly interfaceType: EfaInterfaceType;
}

/**
 * The network interfaces AWS recommends for an EFA instance with several network cards
 * (EC2 User Guide, "Maximize network bandwidth on Amazon EC2 instances with multiple network
 * cards", efa-acc-inst-types):
 *
 * - card 0, device 0: an ENA `interface`, the primary (an EFA-only interface can never be primary);
 * - card 0, device 1: `efa-only` (every Trainium card 0 supports EFA and holds at least two interfaces);
 * - every other card: `efa-only` on device 0 (device 1 of those cards is left for optional ENA).
 *
 * So there is exactly one EFA-capable interface per network card, which is also the EC2 limit.
 * FACTS.md mentions "device 1 where the card allows more than one interface" for the other cards; the
 * EC2 guide says device 0 for the EFA-only interface, and that is what is implemented here.
 *
 * @throws for a type without EFA, naming the types that have it.
 */
export function efaInterfaceLayout(spec: InstanceTypeSpec): EfaInterfaceSlot[] {
  if (!spec.efa.supported) {
    throw new Error(
      `Instance type '${spec.name}' does not support EFA, so it has no EFA interface layout: ` +
        `use one of ${efaInstanceTypes().map((t) => t.name).join(', ')}.`,
    );
  }
  const slots: EfaInterfaceSlot[] = [
    { networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' },
    { networkCardIndex: 0, deviceIndex: 1, interfaceType: 'efa-only' },
  ];
  for (let card = 1; card < spec.networkCards; card++) {
    slots.push({ networkCardIndex: card, deviceIndex: 0, interfaceType: 'efa-only' });
  }
  return slots;
}
