import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** `npm run mock -- <args>` as a child process: tsx running bin/mock.ts, as the npm script does. */
export function spawnMockCli(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/mock.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects the CLI's stdout lines until the snippet's last line, or fails after `ms`. */
export function readyLines(child: ChildProcess, ms = 15_000): Promise<string[]> {
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
