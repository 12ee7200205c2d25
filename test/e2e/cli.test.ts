import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { bedrockClient, userSays } from './helpers';
import { printedEndpoint, readyLines, spawnMockCli } from './mock-cli';

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

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a bad option exits with status 2 and says what is wrong', async () => {
  const child = spawnMockCli(['--timing', 'fast']);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code).toBe(2);
  expect(err).toContain("Unknown timing 'fast': use 'none' or 'realistic'.");
});
