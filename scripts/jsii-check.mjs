#!/usr/bin/env node
// `npm run jsii`: compiles the construct API (what `lib/index.ts` exports) with jsii, the compiler
// Construct Hub libraries are built with, and fails on any jsii error.
//
// jsii wants a project of its own (a package.json with a `jsii` section, peer dependencies on
// aws-cdk-lib and constructs, an author and repository, a README), which this repository's
// package.json is not meant to be. So the check copies `lib/` into a temporary project, writes
// that project's package.json and tsconfig, links the installed packages it needs, and runs the
// installed jsii there. Offline: nothing is downloaded. The temporary project is removed after.
//
// jsii compiles every file under lib/ (the runtime included: the constructs import its CDK-free
// contracts), but validates only the types reachable from the entry point, lib/index.ts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-check-'));

/** The construct library's peer dependencies, at the versions this repository pins. */
const PEERS = ['aws-cdk-lib', 'constructs'];
/** The peers at the exact versions this repository installs and tests with (its devDependencies). */
const peerVersion = (name) => pkg.devDependencies[name] ?? pkg.peerDependencies[name];
/** The other runtime dependencies: plain npm packages such as the AWS SDK. */
const others = Object.keys(pkg.dependencies).filter((name) => !PEERS.includes(name));
/**
 * Dev-only packages the copy needs for types: esbuild, which bundles the Lambda entries at synth when
 * the library runs from its TypeScript sources (lib/invocation/runtime-bundle.ts).
 */
const TYPE_ONLY = ['esbuild'];
const isJsiiModule = (name) => fs.existsSync(path.join(root, 'node_modules', name, '.jsii'));
/** Plain npm packages (no jsii assembly, such as the AWS SDK): jsii accepts them only as bundled dependencies. */
const BUNDLED = others.filter((name) => !isJsiiModule(name));

function main() {
  // lib/app is this repository's `cdk synth` app (its controls need dev-only packages), not part of the package.
  const appDir = path.join(root, 'lib', 'app');
  fs.cpSync(path.join(root, 'lib'), path.join(work, 'lib'), { recursive: true, filter: (source) => source !== appDir });
  fs.writeFileSync(path.join(work, 'README.md'), `# ${pkg.name}\n\n${pkg.description}\n`);
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify(projectPackageJson(), null, 2));
  fs.writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify(projectTsconfig(), null, 2));
  linkNodeModules();

  // jsii warns loudly on Node 20 (end of its support window); the check runs on the project's Node.
  const env = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] };
  const jsii = path.join(root, 'node_modules', 'jsii', 'bin', 'jsii');
  const result = spawnSync(process.execPath, [jsii, work], {
    cwd: work,
    env,
    encoding: 'utf8',
  });
  // jsii prints diagnostics with paths inside the temporary copy; show them as paths of this repository.
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.split(work + path.sep).join('');
  process.stdout.write(output);
  const errors = (output.match(/error (JSII|TS)\d+/g) ?? []).length;
  const warnings = (output.match(/warning JSII\d+/g) ?? []).length;
  if (result.status !== 0 || errors > 0) {
    console.log(`jsii: ${errors} error(s), ${warnings} warning(s); exit code ${result.status}`);
    return 1;
  }
  console.log(`jsii: the construct API compiles (0 errors, ${warnings} warning(s))`);
  return 0;
}

function projectPackageJson() {
  const peers = Object.fromEntries(PEERS.map((name) => [name, peerVersion(name)]));
  return {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    // jsii requires both; the check builds no package, so they only need to be well-formed.
    author: { name: `${pkg.name} authors`, organization: false },
    repository: { type: 'git', url: `https://example.invalid/${pkg.name}.git` },
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    peerDependencies: peers,
    devDependencies: peers,
    dependencies: Object.fromEntries(others.map((name) => [name, pkg.dependencies[name]])),
    bundledDependencies: BUNDLED,
    jsii: { outdir: 'dist', targets: {}, tsconfig: 'tsconfig.json', validateTsconfig: 'strict' },
  };
}

/** The project's compiler settings, within jsii's strict rule set (which asks for es2022, as the project uses). */
function projectTsconfig() {
  return {
    compilerOptions: {
      target: 'es2022',
      lib: ['es2022'],
      module: 'commonjs',
      declaration: true,
      strict: true,
      strictPropertyInitialization: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmitOnError: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noImplicitReturns: true,
      resolveJsonModule: true,
      types: ['node'],
    },
    include: ['lib/**/*.ts'],
  };
}

/**
 * Links, one by one, the packages the copy resolves (the dependencies, the peers, @types/node) and
 * what they depend on. Linking the whole node_modules folder would make jsii's program see the
 * TypeScript sources some packages ship and try to compile them.
 */
function linkNodeModules() {
  const wanted = [...PEERS, ...others, ...TYPE_ONLY, '@types/node'];
  const seen = new Set();
  const queue = [...wanted];
  while (queue.length > 0) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    const source = path.join(root, 'node_modules', name);
    if (!fs.existsSync(source)) continue; // an optional dependency that was not installed
    seen.add(name);
    const target = path.join(work, 'node_modules', name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(source, target, 'dir');
    const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
    queue.push(...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
  }
}

let status = 1;
try {
  status = main();
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(status);
