import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { TrainiumPrefillFleet } from '../../lib/prefill';
import { fleetScaffold, launchTemplateData, userDataText } from '../prefill/fleet-fixtures';

/** The boot script of a default prefill fleet. */
function bootScript(): string {
  const { stack, network, model } = fleetScaffold();
  new TrainiumPrefillFleet(stack, 'Prefill', { network, model });
  return userDataText(launchTemplateData(Template.fromStack(stack)));
}

/** A here-doc's body in the boot script: `cat > <file> <<'<MARK>'` up to `MARK`. */
function hereDoc(script: string, file: string, mark: string): string {
  const start = script.indexOf(`cat > ${file} <<'${mark}'\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = script.slice(start).split('\n').slice(1);
  return body.slice(0, body.indexOf(mark)).join('\n') + '\n';
}

interface Host {
  nixl?: boolean;
  libfabric?: boolean;
  libcuda?: boolean;
  /** The LIBFABRIC probe's error, or undefined when it instantiates. */
  probeError?: string;
  /** Libraries `ldd` reports as not found in the plugin. */
  unresolved?: string[];
}

/**
 * Runs the check against a fake host: a venv whose `python` imports nixl and runs the probe as
 * told, and `ldconfig`, `ldd` and `logger` stand-ins on PATH (logger appends to journal.log).
 */
function runCheck(check: string, bootLine: string, host: Host) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prereq-'));
  const bin = path.join(dir, 'bin');
  const venv = path.join(dir, 'venv');
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(venv, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(venv, 'lib', 'nixl_plugins'), { recursive: true });
  fs.writeFileSync(path.join(venv, 'lib', 'nixl_plugins', 'libplugin_LIBFABRIC.so'), '');
  const exe = (file: string, body: string) => fs.writeFileSync(file, `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  exe(path.join(venv, 'bin', 'python'), [
    `if [ "$2" = 'import nixl' ]; then exit ${host.nixl === false ? 1 : 0}; fi`,
    host.probeError ? `echo 'Traceback (most recent call last):' >&2; echo '${host.probeError}' >&2; exit 1` : 'exit 0',
  ].join('\n'));
  const libs = [host.libfabric !== false && 'libfabric.so.1', host.libcuda !== false && 'libcuda.so.1'].filter(Boolean);
  exe(path.join(bin, 'ldconfig'), libs.map((l) => `printf '\\t%s (libc6,x86-64) => /usr/lib/%s\\n' ${l} ${l}`).join('\n'));
  exe(path.join(bin, 'ldd'), [
    "printf '\\tlibcudart.so.13 => not found\\n'",
    ...(host.unresolved ?? []).map((l) => `printf '\\t${l} => not found\\n'`),
  ].join('\n'));
  exe(path.join(bin, 'logger'), `echo "$@" >> ${path.join(dir, 'journal.log')}`);
  fs.writeFileSync(path.join(dir, 'check.sh'), check);
  // As the boot runs it: VLLM_VENV a plain variable of the boot shell, the check started by the boot's own line.
  const boot = `set -euo pipefail\nVLLM_VENV=${venv}\n${bootLine.replace('/opt/vllm/check-prerequisites.sh', path.join(dir, 'check.sh'))}`;
  // stdin from /dev/null: bash reads ~/.bashrc when its stdin is a socket, as node's pipes are.
  const run = spawnSync('bash', ['-c', boot], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` }, stdio: ['ignore', 'pipe', 'pipe'] });
  const journal = fs.existsSync(path.join(dir, 'journal.log')) ? fs.readFileSync(path.join(dir, 'journal.log'), 'utf8') : '';
  return { status: run.status, stderr: run.stderr, journal, venv };
}

describe('the NIXL / LIBFABRIC prerequisites on the instances', () => {
  let script: string;
  let check: string;
  let bootLine: string;
  beforeAll(() => {
    script = bootScript();
    check = hereDoc(script, '/opt/vllm/check-prerequisites.sh', 'CHECK');
    bootLine = script.split('\n').find((l) => l.endsWith('bash /opt/vllm/check-prerequisites.sh'))!;
  });

  test('the boot installs what is missing, then runs the check before vLLM is set up', () => {
    const lines = script.split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('"$VLLM_VENV/bin/pip" install --quiet nixl')).toBeGreaterThan(0);
    expect(at('apt-get install -y --no-install-recommends $APT_CUDA_ONLY cuda-cudart-dev-12-6')).toBeGreaterThan(0);
    expect(script).toContain('ln -sf /usr/local/cuda-12.6/targets/x86_64-linux/lib/stubs/libcuda.so /usr/local/lib/libcuda.so.1');
    // The check reads VLLM_VENV, a variable of the boot shell that children do not inherit unless given.
    const checkLine = lines.indexOf('VLLM_VENV="$VLLM_VENV" bash /opt/vllm/check-prerequisites.sh');
    expect(checkLine).toBeGreaterThan(at('install --quiet nixl'));
    expect(checkLine).toBeLessThan(lines.indexOf('systemctl enable --now vllm.service'));
    // Under `set -e`, a failing check ends the boot: vLLM is never started.
    expect(lines[1]).toBe('set -euo pipefail');
  });

  test('vLLM runs with EFA\'s libfabric on the loader path', () => {
    expect(hereDoc(script, '/etc/vllm/vllm.env', 'ENV')).toContain('LD_LIBRARY_PATH=/opt/amazon/efa/lib64:/opt/amazon/efa/lib\n');
  });

  test('on a complete host the check is silent and passes', () => {
    expect(runCheck(check, bootLine, {})).toMatchObject({ status: 0, stderr: '', journal: '' });
  });

  test.each<[string, Host, RegExp]>([
    ['NIXL missing', { nixl: false }, /^NIXL is not installed in .*venv \(pip install nixl\)/],
    ['libfabric missing', { libfabric: false }, /^libfabric\.so\.1 is not on the loader path \(\/opt\/amazon\/efa\/lib64:\/opt\/amazon\/efa\/lib\)/],
    ['libcuda missing', { libcuda: false }, /^libcuda\.so\.1 is not on the loader path; NIXL's LIBFABRIC plugin links it \(a stub is enough/],
    [
      'the backend failing to load',
      { probeError: "nixl._bindings.nixlNotFoundError: NIXL_ERR_NOT_FOUND", unresolved: ['libefa.so.1'] },
      /^NIXL's LIBFABRIC backend does not load \(unresolved: libefa\.so\.1\): nixl\._bindings\.nixlNotFoundError: NIXL_ERR_NOT_FOUND$/,
    ],
  ])('%s: one line naming it, in the journal and on stderr, and exit 1', (_, host, message) => {
    const run = runCheck(check, bootLine, host);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^vllm-prerequisites: /);
    expect(lines[0].replace('vllm-prerequisites: ', '')).toMatch(message);
    expect(run.journal).toMatch(/^-t vllm-prerequisites -p user\.err -- /);
    expect(run.journal).toContain(lines[0].replace('vllm-prerequisites: ', ''));
  });
});
