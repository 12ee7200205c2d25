import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPlanCli } from '../../lib/planning/cli/plan-cli';

const ROOT = path.join(__dirname, '..', '..');
const SMALL = ['--requests-per-second', '4', '--input-tokens', '4000', '--output-tokens', '300', '--decode', 'trn2.48xlarge', '--slo-ttft-ms', '800', '--slo-tpot-ms', '25', '--requests', '300'];

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runPlanCli(args, (t) => (out += t), (t) => (err += t));
  return { code, out, err };
}

test('prints the figures of the given and the recommended fleet, and the smallest counts', () => {
  const { code, out } = run(SMALL);
  expect(code).toBe(0);
  expect(out).toContain('Plan for llama-3.3-70b-instruct: prefill trn2.48xlarge (TP 64), decode trn2.48xlarge (TP 64), KV hand-off: pull');
  expect(out).toMatch(/TTFT p50 \/ p90 \/ p99 \(ms\) +\d/);
  expect(out).toMatch(/Smallest fleet that meets the SLO: \d+ prefill : \d+ decode/);
  expect(out).toContain('$35.76 per host-hour (on-demand in us-east-2 as of 2025-11-30');
});

test('--json is the same plan for machines', () => {
  const { out } = run([...SMALL, '--json']);
  const report = JSON.parse(out);
  expect(report.given.fleet).toEqual({ prefillHosts: 1, decodeHosts: 1 });
  expect(report.recommended.meetsSlo).toBe(true);
  expect(report.slo).toBe('TTFT p90 <= 800 ms, TPOT p90 <= 25 ms');
  expect(Object.keys(report.recommended.ttftMs)).toEqual(['p50', 'p90', 'p99']);
});

test('--html writes one self-contained page: the curves as inline SVG, no script, no external reference', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plan-')), 'plan.html');
  expect(run([...SMALL, '--html', file]).code).toBe(0);
  const html = fs.readFileSync(file, 'utf8');
  expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
  expect(html.trimEnd().endsWith('</html>')).toBe(true);
  expect(html.match(/<svg /g)).toHaveLength(2);
  expect(html).toContain('TTFT p90 against arrival rate');
  expect(html).toContain('SLO 800 ms');
  expect(html).toMatch(/given \(1:1\)/);
  expect(html).toMatch(/recommended \(\d+:\d+\)/);
  // Nothing that would reach the network or run code.
  expect(html).not.toMatch(/https?:|\/\/[a-z]|<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
  // Every element opened is closed (the void <meta> aside), in order.
  const stack: string[] = [];
  for (const [, closing, name, selfClosing] of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    if (name === 'meta' || selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
});

test('--calibration prints the published figures beside the predictions', () => {
  const { code, out } = run(['--calibration']);
  expect(code).toBe(0);
  expect(out).toContain('TTFT p50 2442 ms, predicted');
  expect(out).toContain('source: aws-neuron/aws-neuron-sdk libraries/nxd-inference/tutorials/llama405b_perf_comparison.csv (2025-02-04)');
});

test.each([
  [['--slo-ttft-ms', '1000'], '--requests-per-second is required: a positive arrival rate.'],
  [['--requests-per-second', '3'], 'Give an SLO: --slo-ttft-ms, --slo-tpot-ms or both.'],
  [['--requests-per-second', 'fast', '--slo-ttft-ms', '1'], "--requests-per-second must be a number of at least 0; got 'fast'."],
  [['--requests-per-second', '3', '--slo-ttft-ms', '1', '--model', 'gpt-9'], "Unknown model 'gpt-9'"],
  [['--requests-per-second', '3', '--slo-ttft-ms', '1', '--input-tokens', '1..2'], "Not a length distribution '1..2'"],
  [['--requests-per-second', '3', '--slo-ttft-ms', '1', '--prefill-tp', '48'], 'Tensor-parallel degree 48 does not divide the 64 logical NeuronCores of trn2.48xlarge.'],
  [['--requests-per-second', '3', '--slo-ttft-ms', '1', '--kv-handoff', 'teleport'], "Unknown KV hand-off 'teleport': use 'pull' or 'replay'."],
  [['--requests-per-second', '3', '--slo-ttft-ms', '1', '--decode', 'trn2.48xlarge', '--cs3-max-streams', '8'], '--cs3-max-streams applies to --decode cs3 only.'],
  [['--frobnicate'], "Unknown option '--frobnicate'"],
])('bad input %j exits 2 and says what is wrong', (args, message) => {
  const { code, out, err } = run(args);
  expect(code).toBe(2);
  expect(out).toBe('');
  expect(err).toContain(message);
  expect(err).toContain('Run with --help for the options.');
});

test('npm run plan: bin/plan.ts answers --help and exits 2 on bad input', () => {
  const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const help = spawnSync(process.execPath, [tsx, 'bin/plan.ts', '--help'], { cwd: ROOT, encoding: 'utf8' });
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('Usage: npm run plan --');
  const bad = spawnSync(process.execPath, [tsx, 'bin/plan.ts', '--requests-per-second=-1', '--slo-ttft-ms', '5'], { cwd: ROOT, encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain("--requests-per-second must be a number of at least 0; got '-1'.");
});
