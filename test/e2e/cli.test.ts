import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { bedrockClient, userSays } from './helpers';

const ROOT = path.join(__dirname, '..', '..');

/** Collects the CLI's stdout lines until the snippet's last line, or fails after `ms`. */
function readyLines(child: ChildProcess, ms = 15_000): Promise<string[]> {
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

test('npm run mock prints the endpoint and models, answers the official client, and stops cleanly on SIGINT', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/mock.ts', '--port', '0', '--timing', 'none', '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const lines = await readyLines(child);
    const endpoint = /^Bedrock-compatible endpoint: (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0])?.[1];
    expect(endpoint).toBeDefined();
    const models = lines.slice(1).filter((l) => l.startsWith('model: ')).map((l) => l.slice('model: '.length));
    expect(models).toContain('us.meta.llama3-3-70b-instruct-v1:0');
    expect(lines.slice(1, 1 + models.length).every((l) => l.startsWith('model: '))).toBe(true);
    expect(lines.join('\n')).toContain(`endpoint: '${endpoint}'`);
    expect(lines[1 + models.length]).toBe(`OpenAI-compatible base URL: ${endpoint}/openai/v1`);

    const answer = await bedrockClient(endpoint!).send(new ConverseCommand({ modelId: models[1], messages: userSays('hello') }));
    expect(answer.output?.message?.content?.[0]?.text).toBeTruthy();

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a bad option exits with status 2 and says what is wrong', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/mock.ts', '--timing', 'fast'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code).toBe(2);
  expect(err).toContain("Unknown timing 'fast': use 'none' or 'realistic'.");
});
