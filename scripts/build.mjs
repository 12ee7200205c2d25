// `npm run build`: the package's dist/ from scratch. tsc compiles lib/ and bin/ to JavaScript with
// declarations (tsconfig.build.json), then every Lambda entry point is pre-bundled into
// dist/lambda/<entry>/index.js, so a synth from the installed package needs neither esbuild nor Docker.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

// A stale file of a module that no longer exists must not ship.
rmSync(dist, { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('build: tsc -p tsconfig.build.json failed.');
  process.exit(1);
}

// The compiled modules list the entries and hold the esbuild options synth from the sources uses too.
const { RuntimeEntry } = require(path.join(dist, 'lib', 'invocation', 'runtime-function.js'));
const { bundleRuntimeEntry } = require(path.join(dist, 'lib', 'invocation', 'runtime-bundle.js'));
for (const entry of RuntimeEntry.ALL) {
  const outdir = path.join(dist, 'lambda', entry.bundleName);
  bundleRuntimeEntry(root, entry.file, outdir);
  console.log(`build: lib/${entry.file} -> ${path.relative(root, outdir)}/index.js`);
}
