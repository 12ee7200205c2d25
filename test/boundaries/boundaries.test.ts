import * as path from 'node:path';
import { checkBoundaries, DESIGN_BOUNDARIES, ImportGraph } from './check-boundaries';

const ROOT = path.join(__dirname, '..', '..');
const fixture = (name: string) => path.join(__dirname, 'fixtures', name);
const [CDK_FREE, RUNTIME_NO_MOCK, HARDWARE_ALONE, CONSTRUCTS_NO_MOCK] = DESIGN_BOUNDARIES.map((rule) => rule.name);

test('the tree keeps every boundary of the design', () => {
  expect(checkBoundaries(ROOT)).toEqual([]);
});

test('the checker walks the real import graph, through the mock CLI into the runtime', () => {
  // What the old bundle-based check asserted: the walk reaches the gateway, so an empty answer means something.
  const reached = new ImportGraph(ROOT).reachableFrom('bin/mock.ts');
  expect(reached).toContain('lib/mock/mock-cluster.ts');
  expect(reached).toContain('lib/runtime/bedrock/gateway.ts');
});

// Each fixture is a small tree with files that cross one rule; the checker must report exactly those crossings.
test.each([
  {
    fixture: 'cdk-free',
    crossings: [
      // Transitive, through a package that needs aws-cdk-lib, and type-only: each counts.
      { rule: CDK_FREE, chain: ['lib/mock/worker.ts', 'constructs'] },
      { rule: CDK_FREE, chain: ['lib/planning/plan.ts', 'cdk-nag'] },
      { rule: CDK_FREE, chain: ['lib/runtime/gateway.ts', 'lib/shared/durations.ts', 'aws-cdk-lib'] },
    ],
  },
  {
    fixture: 'runtime-mock',
    crossings: [{ rule: RUNTIME_NO_MOCK, chain: ['lib/runtime/router.ts', 'lib/mock/timing.ts'] }],
  },
  {
    fixture: 'hardware',
    crossings: [{ rule: HARDWARE_ALONE, chain: ['lib/hardware/catalog.ts', 'lib/runtime/registry.ts'] }],
  },
  {
    fixture: 'construct-mock',
    crossings: [
      { rule: CONSTRUCTS_NO_MOCK, chain: ['lib/decode/endpoint.ts', 'lib/mock/mock-timing.ts'] },
      { rule: CONSTRUCTS_NO_MOCK, chain: ['lib/inference-mode.ts', 'lib/mock/mock-timing.ts'] },
      // The exception is one import of one file, not a way into the mock.
      {
        rule: CONSTRUCTS_NO_MOCK,
        chain: ['lib/invocation/mock-workers.ts', 'lib/mock/lambda/worker-environment.ts', 'lib/mock/mock-timing.ts'],
      },
    ],
  },
])('the checker reports the crossings of the $fixture fixture, and only those', ({ fixture: name, crossings }) => {
  expect(checkBoundaries(fixture(name))).toEqual(crossings);
});
