import { ChildProcess } from 'node:child_process';
import { TRANSPORTS } from '../e2e/helpers';
import { printedEndpoint, readyLines, spawnMockCli } from '../e2e/mock-cli';
import { awsSdkAgentLoop } from './clients/aws-sdk';
import { langchainAgentLoop } from './clients/langchain';
import { openAiAgentLoop } from './clients/openai';
import { runStrandsAgent, strandsResult } from './clients/strands';
import { vercelAgentLoop } from './clients/vercel-ai';
import { AgentLoopOutcome, ANSWER_WITH_TOOL_RESULT, EXPECTED_TOOL_INPUT } from './conversation';
import { useCleanAwsEnvironment, withoutAwsOverrides } from './harness';

// The acceptance case: every client runs its agent loop against `npm run mock` itself, the CLI in a
// process of its own, streamed and buffered. The model asks for the tool, the client runs it, the model
// answers with text that uses the result.

useCleanAwsEnvironment();
let cli: ChildProcess;
let endpoint: string;
beforeAll(async () => {
  cli = spawnMockCli(['--port', '0', '--timing', 'none', '--quiet'], withoutAwsOverrides(process.env));
  endpoint = printedEndpoint(await readyLines(cli, 60_000))!;
  expect(endpoint).toBeDefined();
}, 90_000);
afterAll(async () => {
  if (cli.exitCode !== null) return;
  const exited = new Promise((resolve) => cli.once('exit', resolve));
  cli.kill('SIGINT');
  // SIGINT lets requests finish; one that never does must not hold the suite.
  const timer = setTimeout(() => cli.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}, 30_000);

/** Each client's loop and the stop reason, in its own words, it ends with. */
const LOOPS: Array<[string, (endpoint: string, streamed: boolean) => Promise<AgentLoopOutcome>, string]> = [
  [`the AWS SDK over ${TRANSPORTS[0]}`, (at, streamed) => awsSdkAgentLoop(at, TRANSPORTS[0], streamed), 'end_turn'],
  [`the AWS SDK over ${TRANSPORTS[1]}`, (at, streamed) => awsSdkAgentLoop(at, TRANSPORTS[1], streamed), 'end_turn'],
  ["Vercel's AI SDK", (at, streamed) => vercelAgentLoop(at, streamed), 'stop'],
  ["LangChain's ChatBedrockConverse", langchainAgentLoop, 'end_turn'],
  ['the openai client (runTools)', openAiAgentLoop, 'stop'],
];

describe.each([false, true])('streamed: %s', (streamed) => {
  test.each(LOOPS)('%s runs an agent loop against npm run mock', async (_, loop, stopReason) => {
    expect(await loop(endpoint, streamed)).toMatchObject({ toolInputs: [EXPECTED_TOOL_INPUT], text: ANSWER_WITH_TOOL_RESULT, stopReason });
  });
});

test('Strands Agents runs its agent loop against npm run mock, streamed and buffered', async () => {
  const results = await runStrandsAgent(endpoint, ['agentLoop']);
  for (const mode of ['buffered', 'streamed'] as const) {
    const loop = strandsResult(results, mode, 'agentLoop');
    expect(loop.toolInputs).toEqual([EXPECTED_TOOL_INPUT]);
    expect(loop.text).toBe(ANSWER_WITH_TOOL_RESULT);
    expect(loop.stopReason).toBe('endTurn');
  }
}, 150_000);
