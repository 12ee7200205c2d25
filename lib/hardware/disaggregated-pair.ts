import type { InstanceTypeSpec } from './instance-types';

/**
 * Why a prefill fleet of type `prefill` and a decode fleet of type `decode` should not serve
 * together, or undefined when they can. Fleets of one accelerator generation are what the Neuron
 * documentation pairs (its disaggregated-inference tutorial runs prefill and decode on the same
 * Trn2 or Trn3 hardware); a KV cache laid out by one generation's compiled graphs and pulled by
 * another's is not a configuration it describes, so mixing needs the caller's explicit consent.
 */
export function disaggregatedPairProblem(
  prefill: InstanceTypeSpec,
  decode: InstanceTypeSpec,
  allowMixedGenerations: boolean,
): string | undefined {
  if (allowMixedGenerations || prefill.accelerator === decode.accelerator) return undefined;
  return (
    `prefill runs on ${prefill.name} (${prefill.accelerator.name}) and decode on ${decode.name} ` +
    `(${decode.accelerator.name}), two accelerator generations. The Neuron documentation pairs prefill and decode ` +
    'of one generation; use the same generation for both fleets, or set allowMixedAcceleratorGenerations: true ' +
    'if you have checked that the KV hand-off works between them.'
  );
}
