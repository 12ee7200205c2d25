import {
  CEREBRAS_CS3,
  EfaSupport,
  TRAINIUM_INSTANCE_TYPES,
  TRAINIUM2,
  disaggregatedInferenceInstanceTypes,
  disaggregatedPairProblem,
  efaInterfaceLayout,
  getInstanceTypeSpec,
} from '../../lib/hardware';

describe('Trainium instance catalog', () => {
  test('holds the six Trainium types of FACTS.md', () => {
    expect(TRAINIUM_INSTANCE_TYPES.map((t) => t.name).sort()).toEqual(
      ['trn1.2xlarge', 'trn1.32xlarge', 'trn1n.32xlarge', 'trn2.3xlarge', 'trn2.48xlarge', 'trn2u.48xlarge'].sort(),
    );
  });

  test.each([
    ['trn1.2xlarge', 1, 2, 1, EfaSupport.NONE, false, true],
    ['trn1.32xlarge', 16, 32, 8, EfaSupport.V2, false, true],
    ['trn1n.32xlarge', 16, 32, 16, EfaSupport.V2, false, false],
    ['trn2.3xlarge', 1, 8, 1, EfaSupport.V3, true, false],
    ['trn2.48xlarge', 16, 128, 16, EfaSupport.V3, true, false],
    ['trn2u.48xlarge', 16, 128, 16, EfaSupport.V3, true, false],
  ])('%s: %d chips, %d NeuronCores, %d network cards, EFA, enclaves, dedicated hosts', (name, chips, cores, cards, efa, enclaves, hosts) => {
    const spec = getInstanceTypeSpec(name);
    expect(spec).toMatchObject({ chips, neuronCores: cores, networkCards: cards, enclaves, dedicatedHosts: hosts });
    expect(spec.efa).toBe(efa);
  });

  test('accelerator memory of a type is chips x per-chip memory (96 GiB per Trainium2, not the EC2 API figure)', () => {
    for (const spec of TRAINIUM_INSTANCE_TYPES) {
      expect(spec.acceleratorMemoryGiB).toBe(spec.chips * spec.accelerator.memoryGiB);
    }
    expect(getInstanceTypeSpec('trn2.48xlarge').accelerator).toBe(TRAINIUM2);
    expect(getInstanceTypeSpec('trn2.48xlarge').acceleratorMemoryGiB).toBe(1536);
  });

  test('logical NeuronCores follow the default LNC (2 on Trn2, 1 on Trn1)', () => {
    expect(getInstanceTypeSpec('trn2.48xlarge').logicalNeuronCores).toBe(64);
    expect(getInstanceTypeSpec('trn1.32xlarge').logicalNeuronCores).toBe(32);
    for (const spec of TRAINIUM_INSTANCE_TYPES) {
      expect(spec.logicalNeuronCores * spec.defaultLogicalNeuronCoreConfig).toBe(spec.neuronCores);
    }
  });

  test('KV egress: the measured 270 GB/s on trn2.48xlarge; derived figures below line rate', () => {
    expect(getInstanceTypeSpec('trn2.48xlarge').kvTransferGBps).toBe(270);
    for (const spec of TRAINIUM_INSTANCE_TYPES) {
      expect(spec.kvTransferGBps).toBeGreaterThan(0);
      expect(spec.kvTransferGBps).toBeLessThanOrEqual(spec.networkBandwidthGbps / 8);
    }
  });

  test('disaggregated inference with the default image (vllm-neuron): Trn2 types only, never trn1 or trn1n', () => {
    expect(disaggregatedInferenceInstanceTypes().map((t) => t.name)).toEqual(['trn2.3xlarge', 'trn2.48xlarge', 'trn2u.48xlarge']);
    for (const name of ['trn1.2xlarge', 'trn1.32xlarge', 'trn1n.32xlarge']) {
      expect(getInstanceTypeSpec(name).disaggregatedInference).toBe(false);
    }
    for (const spec of disaggregatedInferenceInstanceTypes()) {
      expect(spec.efa.supported).toBe(true);
      expect(spec.accelerator).toBe(TRAINIUM2);
    }
  });

  test('prefill and decode of different accelerator generations are a problem unless allowed', () => {
    const trn2 = getInstanceTypeSpec('trn2.48xlarge');
    const trn1 = getInstanceTypeSpec('trn1.32xlarge');
    expect(disaggregatedPairProblem(trn2, getInstanceTypeSpec('trn2u.48xlarge'), false)).toBeUndefined();
    expect(disaggregatedPairProblem(trn2, getInstanceTypeSpec('trn2.3xlarge'), false)).toBeUndefined();
    expect(disaggregatedPairProblem(trn2, trn1, false)).toMatch(
      /prefill runs on trn2.48xlarge \(Trainium2\) and decode on trn1.32xlarge \(Trainium1\), two accelerator generations.*set allowMixedAcceleratorGenerations: true/,
    );
    expect(disaggregatedPairProblem(trn2, trn1, true)).toBeUndefined();
  });

  test('an unknown type is an error that lists the supported ones', () => {
    expect(() => getInstanceTypeSpec('p5.48xlarge')).toThrow(
      /Unknown instance type 'p5.48xlarge': supported Trainium instance types are trn1.2xlarge, trn1.32xlarge, trn1n.32xlarge, trn2.3xlarge, trn2.48xlarge, trn2u.48xlarge/,
    );
  });

  test('CS-3 carries its SRAM, bandwidth and system I/O', () => {
    expect(CEREBRAS_CS3.onWaferSramGB).toBe(44);
    expect(CEREBRAS_CS3.memoryBandwidthGBps).toBe(21e6);
    expect(CEREBRAS_CS3.systemIoGBps).toBe(150);
  });
});

describe('EFA interface layout', () => {
  test.each([
    ['trn2.48xlarge', 16],
    ['trn2u.48xlarge', 16],
    ['trn1n.32xlarge', 16],
    ['trn1.32xlarge', 8],
    ['trn2.3xlarge', 1],
  ])('%s: exactly one EFA-only interface on each of its %d cards, ENA primary on card 0 device 0', (name, cards) => {
    const slots = efaInterfaceLayout(getInstanceTypeSpec(name));
    expect(slots[0]).toEqual({ networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' });
    const efaSlots = slots.filter((s) => s.interfaceType !== 'interface');
    expect(efaSlots.map((s) => s.networkCardIndex)).toEqual([...Array(cards).keys()]);
    expect(efaSlots.every((s) => s.interfaceType === 'efa-only')).toBe(true);
    expect(efaSlots[0].deviceIndex).toBe(1);
    expect(efaSlots.slice(1).every((s) => s.deviceIndex === 0)).toBe(true);
    expect(slots).toHaveLength(cards + 1);
  });

  test('never more interfaces than the type allows', () => {
    for (const spec of TRAINIUM_INSTANCE_TYPES.filter((t) => t.efa.supported)) {
      expect(efaInterfaceLayout(spec).length).toBeLessThanOrEqual(spec.maxNetworkInterfaces);
    }
  });

  test('a type without EFA is an error naming the types with EFA', () => {
    expect(() => efaInterfaceLayout(getInstanceTypeSpec('trn1.2xlarge'))).toThrow(
      /'trn1.2xlarge' does not support EFA.*use one of trn1.32xlarge, trn1n.32xlarge, trn2.3xlarge, trn2.48xlarge, trn2u.48xlarge/,
    );
  });
});
