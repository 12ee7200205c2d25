import * as path from 'node:path';
import { build } from 'esbuild';

/**
 * lib/runtime and lib/mock run outside CDK (the local server, Lambda bundles): nothing they
 * import, directly or through other modules, may pull in aws-cdk-lib or constructs.
 */
test('the runtime and the mock never import aws-cdk-lib or constructs, even transitively', async () => {
  const root = path.join(__dirname, '..', '..');
  const result = await build({
    entryPoints: [path.join(root, 'lib/runtime/index.ts'), path.join(root, 'lib/mock/index.ts'), path.join(root, 'bin/mock.ts')],
    bundle: true,
    write: false,
    outdir: 'out',
    platform: 'node',
    metafile: true,
    logLevel: 'silent',
    // Third-party runtime dependencies are irrelevant here; only the graph of this package's code matters.
    external: ['@aws-sdk/*', '@smithy/*'],
  });
  const inputs = Object.keys(result.metafile!.inputs);
  expect(inputs.some((input) => input.includes('lib/runtime/bedrock/gateway.ts'))).toBe(true);
  expect(inputs.filter((input) => /node_modules\/(aws-cdk-lib|constructs)\//.test(input))).toEqual([]);
});
