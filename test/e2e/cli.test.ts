import * as fs from 'node:fs';
import * as net from 'node:net';
import { ConverseCommand, ConverseStreamCommand, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';
import { tokenize } from '../../lib/mock';
import { bedrockClient, readConverseStream, userSays } from './helpers';
import { endpointOf, exitOf, printedEndpoint, readyLines, spawnMockCli, spawnNpmRunMock } from './mock-cli';

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(true));
  });
}

/** Every live process below `root`, from /proc (Linux): what a launcher would leave behind. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read from the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parents.set(Number(entry), Number(ppid));
    } catch {
      // gone while we looked
    }
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const [child, parent] of parents) if (parent === pid) (found.push(child), visit(child));
  };
  visit(root);
  return found;
}

const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

const linux = process.platform === 'linux' ? test : test.skip;

linux('SIGTERM to the pid of `npm run mock` leaves no process behind and the port free within 10 s', async () => {
  const npm = spawnNpmRunMock(['--port', '0', '--timing', 'none', '--quiet']);
  let tree: number[] = [];
  try {
    const port = Number(new URL(await endpointOf(npm)).port);
    tree = descendants(npm.pid!);
    expect(tree.length).toBeGreaterThan(0); // the shell npm runs scripts in, and node under it
    npm.kill('SIGTERM');
    await exitOf(npm);
    const deadline = Date.now() + 10_000;
    while ((tree.some(alive) || !(await refusesConnections(port))) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tree.filter(alive)).toEqual([]);
    expect(await refusesConnections(port)).toBe(true);
  } finally {
    for (const pid of [npm.pid!, ...tree]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}, 60_000);

test('SIGTERM with 64 HTTP/2 streams in progress: every stream finishes in full, then the CLI exits 0', async () => {
  // Each decode holds its first token 2 s, so the streams are in progress when SIGTERM comes;
  // the grace period is far longer than they need.
  const child = spawnMockCli(['--port', '0', '--timing', 'realistic', '--quiet', '--slow-decode-ms', '2000', '--first-token-timeout-ms', '60000', '--shutdown-grace-ms', '60000']);
  try {
    const endpoint = await endpointOf(child);
    const client = bedrockClient(endpoint);
    const modelId = 'us.meta.llama3-3-70b-instruct-v1:0';
    const streams = Array.from({ length: 64 }, async () => {
      const response = await client.send(new ConverseStreamCommand({ modelId, messages: userSays('tell me everything') }));
      return readConverseStream(response.stream!);
    });
    // One HTTP/2 session carries them all, in order: once a later request has its answer, the
    // server has received the 64 before it.
    await client.send(new CountTokensCommand({ modelId, input: { converse: { messages: userSays('after the 64') } } }));
    child.kill('SIGTERM');
    const outcomes = await Promise.all(streams);
    for (const stream of outcomes) {
      expect(stream.events.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
      expect(stream.stopReason).toBe('end_turn');
      // The whole answer: the same prompt always gets the same one, and usage counts all of it.
      expect(stream.text).toBe(outcomes[0].text);
      expect(tokenize(stream.text)).toHaveLength(stream.metadata!.usage!.outputTokens!);
    }
    expect(await exitOf(child)).toBe(0);
    client.destroy();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 120_000);

test('npm run mock prints the endpoint and models, answers the official client, and stops cleanly on SIGINT', async () => {
  const child = spawnMockCli(['--port', '0', '--timing', 'none', '--quiet']);
  try {
    const lines = await readyLines(child);
    const endpoint = printedEndpoint(lines);
    expect(endpoint).toBeDefined();
    const models = lines.slice(1).filter((l) => l.startsWith('model: ')).map((l) => l.slice('model: '.length));
    expect(models).toContain('us.meta.llama3-3-70b-instruct-v1:0');
    expect(lines.slice(1, 1 + models.length).every((l) => l.startsWith('model: '))).toBe(true);
    expect(lines.join('\n')).toContain(`endpoint: '${endpoint}'`);
    expect(lines[1 + models.length]).toBe(`OpenAI-compatible base URL: ${endpoint}/openai/v1`);

    const answer = await bedrockClient(endpoint!).send(new ConverseCommand({ modelId: models[1], messages: userSays('hello') }));
    expect(answer.output?.message?.content?.[0]?.text).toBeTruthy();

    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a bad option exits with status 2 and says what is wrong', async () => {
  const child = spawnMockCli(['--timing', 'fast']);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  expect(await exitOf(child)).toBe(2);
  expect(err).toContain("Unknown timing 'fast': use 'none' or 'realistic'.");
});
