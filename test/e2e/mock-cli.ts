import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** `npm run mock -- <args>` as a child process without npm: node loading tsx, running bin/mock.ts, as the npm script does. */
export function spawnMockCli(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'bin/mock.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `npm run mock -- <args>` itself: npm, the shell it runs scripts in, and node under that. */
export function spawnNpmRunMock(args: string[]): ChildProcess {
  return spawn('npm', ['run', 'mock', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects the CLI's stdout lines until the snippet's last line, or fails after `ms` (a bound on a hang: tsx compiles first, slowly on a loaded machine). */
export function readyLines(child: ChildProcess, ms = 60_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`mock CLI not ready within ${ms} ms; output so far:\n${out}`)), ms);
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('Ctrl-C stops it.')) {
        clearTimeout(timer);
        resolve(out.split('\n'));
      }
    });
    child.on('exit', (code) => reject(new Error(`mock CLI exited with ${code} before it was ready:\n${out}`)));
  });
}

/** The endpoint the CLI's first line names. */
export function printedEndpoint(lines: string[]): string | undefined {
  return /^Bedrock-compatible endpoint: (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0])?.[1];
}

/** The endpoint the CLI printed once it is ready, after whatever a launcher (npm) printed first. */
export async function endpointOf(child: ChildProcess): Promise<string> {
  const lines = await readyLines(child);
  const endpoint = printedEndpoint(lines.slice(lines.findIndex((line) => line.startsWith('Bedrock-compatible endpoint: '))));
  if (!endpoint) throw new Error(`the mock CLI printed no endpoint:\n${lines.join('\n')}`);
  return endpoint;
}

/** A child process's exit code, once it has exited. */
export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}
