import * as path from 'path';

/**
 * Bundles one Lambda entry point of this package with esbuild: the whole dependency graph in one
 * CommonJS `index.js` for Node 24, minified, with its source map, and with the AWS SDK pieces the
 * runtime uses bundled rather than taken from the Lambda runtime (so what runs is exactly the versions
 * the tests ran). These are the options aws-cdk-lib's NodejsFunction passed to esbuild before
 * (`bundleAwsSDK`, `minify`, `sourceMap`, `target: 'node24'`, `format: CJS`, the project's tsconfig).
 *
 * Two callers, one bundle: `npm run build` pre-bundles every entry into `dist/lambda/` for the
 * package, and a synth from the TypeScript sources (this repo) bundles at synth.
 *
 * @param projectRoot the directory holding `lib/` (the TypeScript sources) and `tsconfig.json`
 * @param file the entry file, relative to `lib/`
 * @param outdir the directory `index.js` and `index.js.map` are written to
 */
export function bundleRuntimeEntry(projectRoot: string, file: string, outdir: string): void {
  // esbuild is a devDependency: only the build and a synth from the sources get here, never an
  // installed package (which uses the prebuilt bundles), so it is loaded on demand.
  let esbuild: typeof import('esbuild');
  try {
    esbuild = require('esbuild');
  } catch {
    throw new Error(
      `Bundling lib/${file} from the TypeScript sources needs esbuild, a devDependency of this package: run \`npm ci\` in ${projectRoot}.`,
    );
  }
  esbuild.buildSync({
    absWorkingDir: projectRoot,
    entryPoints: [path.join(projectRoot, 'lib', file)],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    tsconfig: path.join(projectRoot, 'tsconfig.json'),
    logLevel: 'warning',
  });
}
