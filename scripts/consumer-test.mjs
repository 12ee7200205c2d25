// The consumer test (`npm run test:package`): the package as a user gets it from npm. It packs the
// tarball (`prepack` builds dist/), installs it OFFLINE into a fresh app beside aws-cdk-lib, then
//   (a) synthesizes a plain JavaScript (CommonJS) CDK app with `node app.js`,
//   (b) type-checks a TypeScript app and runs its ts-jest snapshot test twice (the second run
//       compares against the snapshot the first one wrote),
//   (c) starts the packaged mock CLI with npx, calls it once with the official Bedrock client and
//       stops it with SIGTERM.
// The fixture app is scripts/consumer-app/. Exit status 0 when every step passed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = path.join(ROOT, 'scripts', 'consumer-app');
const OWN = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** What the consumer app installs beside the tarball, at the versions of this repo's lock file. */
const CONSUMER_DEPENDENCIES = ['aws-cdk-lib', 'constructs', '@aws-sdk/client-bedrock-runtime', 'typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'];
/** Every npm and npx call is offline: the consumer gets only what the cache holds after `npm ci`. */
const ENV = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const MINUTE = 60_000;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-di-consumer-'));
const app = path.join(work, 'app');
/** Process groups this script started and has not seen end (each command runs in its own group). */
const running = new Set();

function log(line) {
  process.stdout.write(`consumer test: ${line}\n`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Runs a command to completion in its own process group. Resolves with `{ stdout, output }` (output:
 * stdout and stderr as they came); rejects with the output on failure or timeout.
 */
function run(command, args, { cwd = app, timeoutMs = 5 * MINUTE } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child.pid);
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      output += d;
    });
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[no end after ${timeoutMs / 1000} s: killed]`;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => reject(error));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child.pid);
      if (code === 0) resolve({ stdout, output });
      else reject(new Error(`\`${[command, ...args].join(' ')}\` in ${cwd} ended with ${signal ?? `status ${code}`}:\n${output.trimEnd()}`));
    });
  });
}

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function step(name, body) {
  log(`${name} ...`);
  const started = Date.now();
  try {
    const note = await body();
    log(`${name}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)${note ? `: ${note}` : ''}`);
  } catch (error) {
    throw Object.assign(new Error(`step '${name}' failed: ${error instanceof Error ? error.message : String(error)}`), { step: name });
  }
}

/** `npm pack`: the tarball, checked to hold the compiled package and none of the sources or tests. */
async function pack() {
  const destination = path.join(work, 'pack');
  fs.mkdirSync(destination);
  await run('npm', ['pack', '--pack-destination', destination], { cwd: ROOT });
  const [tarball] = fs.readdirSync(destination).filter((f) => f.endsWith('.tgz'));
  check(tarball, `npm pack wrote no .tgz into ${destination}`);
  const file = path.join(destination, tarball);
  const listed = new Set((await run('tar', ['-tzf', file], { cwd: work })).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')));
  const targets = Object.values(OWN.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
  const { RuntimeEntry } = createRequire(import.meta.url)(path.join(ROOT, 'dist', 'lib', 'invocation', 'runtime-function.js'));
  const required = [
    'package.json',
    'README.md',
    OWN.main,
    OWN.types,
    ...Object.values(OWN.bin),
    ...targets.map((t) => t.replace(/^\.\//, '')),
    ...RuntimeEntry.ALL.map((entry) => `dist/lambda/${entry.bundleName}/index.js`),
  ];
  const missing = required.filter((f) => !listed.has(f));
  check(missing.length === 0, `the tarball lacks ${missing.join(', ')}`);
  const stray = [...listed].filter((f) => /^(lib|test|bench|scripts|bin)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
  check(stray.length === 0, `the tarball holds sources or tests: ${stray.slice(0, 5).join(', ')}`);
  return { file, note: `${tarball}, ${listed.size} files, ${(fs.statSync(file).size / 1024).toFixed(0)} KiB` };
}

/**
 * The lock file of the consumer app. `npm install --offline` can place only what the cache holds,
 * and `npm ci` cached exactly the packages of this repo's lock file: the consumer's lock names every
 * package it needs from there, plus the tarball, so npm resolves nothing (resolving the tarball's
 * peer dependencies anew would need registry documents `npm ci` does not fetch). Packages of the
 * repo's lock the app does not need are pruned by the install.
 */
function consumerLock(manifest, tarball) {
  const repoLock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const packages = { '': { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies } };
  for (const [location, entry] of Object.entries(repoLock.packages)) if (location) packages[location] = entry;
  packages[`node_modules/${OWN.name}`] = {
    version: OWN.version,
    resolved: `file:${path.relative(app, tarball)}`,
    integrity: `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`,
    license: OWN.license,
    dependencies: OWN.dependencies,
    peerDependencies: OWN.peerDependencies,
    bin: OWN.bin,
    engines: OWN.engines,
  };
  return { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
}

async function install(tarball) {
  fs.cpSync(FIXTURE, app, { recursive: true });
  const repoLock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const dependencies = { [OWN.name]: `file:${path.relative(app, tarball)}` };
  for (const name of CONSUMER_DEPENDENCIES) {
    const locked = repoLock.packages[`node_modules/${name}`];
    check(locked, `${name} is not in the repo's package-lock.json, so the offline install cannot have it`);
    dependencies[name] = locked.version;
  }
  const manifest = { name: 'consumer-app', version: '1.0.0', private: true, dependencies };
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(app, 'package-lock.json'), `${JSON.stringify(consumerLock(manifest, tarball), null, 2)}\n`);
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund']);

  const requireFromApp = createRequire(path.join(app, 'package.json'));
  const bin = path.join(app, 'node_modules', OWN.name, OWN.bin['cdk-disaggregated-inference-mock']);
  check(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n'), `${bin} does not start with #!/usr/bin/env node`);
  // The synth below must prove the prebuilt bundles: with esbuild at hand, it would prove nothing.
  check(!canResolve(requireFromApp, 'esbuild'), 'esbuild is installed in the consumer app');
  return `${fs.readdirSync(path.join(app, 'node_modules')).length} top-level packages, no esbuild`;
}

function canResolve(requireFrom, name) {
  try {
    requireFrom.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** (a) `node app.js`: both stacks synthesize, and every function runs a bundle shipped in the package. */
async function javascriptApp() {
  await run('node', ['app.js', 'cdk.out']);
  const prebuilt = new Set(
    fs
      .readdirSync(path.join(app, 'node_modules', OWN.name, 'dist', 'lambda'))
      .map((name) => fs.readFileSync(path.join(app, 'node_modules', OWN.name, 'dist', 'lambda', name, 'index.js'), 'utf8')),
  );
  const expected = { Inference: { autoScalingGroups: 2, functions: 2 }, InferenceMock: { autoScalingGroups: 0, functions: 4 } };
  for (const [stack, { autoScalingGroups, functions }] of Object.entries(expected)) {
    const resources = Object.values(JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', `${stack}.template.json`), 'utf8')).Resources);
    const ofType = (type) => resources.filter((r) => r.Type === type);
    check(ofType('AWS::ApiGateway::RestApi').length === 1, `${stack}: ${ofType('AWS::ApiGateway::RestApi').length} REST APIs, expected 1`);
    check(ofType('AWS::AutoScaling::AutoScalingGroup').length === autoScalingGroups, `${stack}: expected ${autoScalingGroups} Auto Scaling groups`);
    const runtimeFunctions = ofType('AWS::Lambda::Function').filter((r) => r.Properties.Runtime === 'nodejs24.x');
    check(runtimeFunctions.length === functions, `${stack}: ${runtimeFunctions.length} nodejs24.x functions, expected ${functions}`);
    const handlers = new Set(runtimeFunctions.map((r) => r.Properties.Handler));
    check(handlers.has('index.handler') && handlers.has('index.streamingHandler'), `${stack}: handlers ${[...handlers].join(', ')}`);
    for (const fn of runtimeFunctions) {
      const asset = path.join(app, 'cdk.out', `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
      check(fs.existsSync(asset) && prebuilt.has(fs.readFileSync(asset, 'utf8')), `${stack}: ${asset} is not one of the package's prebuilt bundles`);
    }
  }
  await run('node', ['subpaths.js']);
  return 'Inference (Trainium) and InferenceMock (mock mode) synthesized; subpath exports load';
}

/** (b) tsc with both module resolutions, then the ts-jest snapshot test twice. */
async function typescriptApp() {
  await run('npx', ['tsc', '-p', 'tsconfig.json']);
  await run('npx', ['tsc', '-p', 'tsconfig.node10.json']);
  const { output: first } = await run('npx', ['jest', '--ci=false']);
  check(/1 snapshot written/.test(first), `the first jest run wrote no snapshot:\n${first}`);
  const { output: second } = await run('npx', ['jest', '--ci']);
  check(/Snapshots:\s+1 passed, 1 total/.test(second), `the second jest run did not pass against the written snapshot:\n${second}`);
  return 'types resolve (NodeNext and node10); snapshot written, then matched';
}

/** (c) The packaged mock CLI: ready line, one Converse, SIGTERM, gone. */
async function mockCli() {
  const child = spawn('npx', ['cdk-disaggregated-inference-mock', '--port', '0'], { cwd: app, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child.pid);
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const closed = new Promise((resolve) => child.on('close', resolve));
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 60 s:\n${out}${err}`)), MINUTE);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C stops it.')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on('exit', (code, signal) => reject(new Error(`exited (${signal ?? code}) before it was ready:\n${out}${err}`)));
  });
  const endpoint = /^Bedrock-compatible endpoint: (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(ready);
  const modelId = /^model: (us\..+)$/m.exec(ready)?.[1];
  check(endpoint && modelId, `no endpoint or inference-profile model line in:\n${ready}`);
  const answer = (await run('node', ['converse.js', endpoint[1], modelId], { timeoutMs: MINUTE })).stdout.trim();

  // npx does not pass a SIGTERM on to the command it runs (it ends and leaves the command running), so
  // the signal goes to the process group, as a terminal's Ctrl-C or a service manager's stop does.
  process.kill(-child.pid, 'SIGTERM');
  const stopped = await Promise.race([closed.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 30_000))]);
  check(stopped, `still running 30 s after SIGTERM:\n${err}`);
  check(err.includes('SIGTERM: finishing requests in progress, then stopping.'), `the CLI did not report the SIGTERM:\n${err}`);
  const deadline = Date.now() + 10_000;
  while (groupAlive(child.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  check(!groupAlive(child.pid), 'a process of the mock CLI outlived its SIGTERM by 10 s');
  running.delete(child.pid);
  check(await refused(Number(endpoint[2])), `port ${endpoint[2]} still accepts connections after the CLI stopped`);
  return `${endpoint[1]} answered ${modelId} (${answer}); stopped on SIGTERM`;
}

function refused(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function cleanUp() {
  for (const pid of running) killGroup(pid);
  running.clear();
  fs.rmSync(work, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping, cleaning up ${work}`);
    cleanUp();
    process.exit(130);
  });
}

const started = Date.now();
try {
  let tarball;
  await step('npm pack (prepack builds dist/)', async () => {
    const packed = await pack();
    tarball = packed.file;
    return packed.note;
  });
  await step('offline install of the tarball into a fresh app', () => install(tarball));
  await step('(a) JavaScript CDK app synthesizes with plain node', javascriptApp);
  await step('(b) TypeScript app: tsc and the ts-jest snapshot test, twice', typescriptApp);
  await step('(c) npx cdk-disaggregated-inference-mock --port 0 and the official client', mockCli);
} catch (error) {
  process.stderr.write(`consumer test: FAILED: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
log(`${process.exitCode ? 'failed' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(0)} s (clean-up of ${work} included)`);
