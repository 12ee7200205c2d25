import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { withoutAwsOverrides } from '../harness';

/**
 * Strands Agents TS (@strands-agents/sdk 1.16.0) is ESM only, and the project's jest (CommonJS,
 * ts-jest) cannot load it: jest would need `--experimental-vm-modules` and an import that ts-jest
 * does not turn into `require` (/work/research/issue8-clients.md, section 1). So it runs where Node
 * itself loads it: strands-agent.mts, in a child process, which prints what came back as JSON.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const SCRIPT = path.join(__dirname, 'strands-agent.mts');

/** An agent's turn: its result, and how many text and reasoning deltas came on the way. */
export interface StrandsTurn {
  readonly stopReason: string;
  readonly blockTypes: string[];
  readonly text: string;
  readonly reasoning: string;
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number; readonly totalTokens: number; readonly cacheReadInputTokens?: number; readonly cacheWriteInputTokens?: number };
  /** The prompt of the agent's last model call, in tokens. */
  readonly contextSize?: number;
  readonly deltas: { readonly text: number; readonly reasoning: number };
}

/** A model call with a tool choice. */
export interface StrandsModelCall {
  readonly stopReason: string;
  readonly toolUses: Array<{ readonly name: string; readonly input: unknown }>;
}

/** How the Agent's loop went: the tool's inputs, and each message of the agent's conversation as `role:block types`. */
export type StrandsAgentLoop = StrandsTurn & { readonly toolInputs: unknown[]; readonly messages: string[] };

export interface StrandsScenarios {
  readonly plain: StrandsTurn;
  readonly system: StrandsTurn;
  readonly multiTurn: StrandsTurn & { readonly roles: string[] };
  readonly forcedToolCall: StrandsModelCall;
  readonly autoToolCall: StrandsModelCall;
  readonly noToolNamed: StrandsTurn & { readonly toolInputs: unknown[] };
  readonly agentLoop: StrandsAgentLoop;
  readonly reasoning: StrandsTurn;
  readonly reasoningAgentLoop: StrandsAgentLoop;
}

/** Per mode (`buffered`: `stream: false`, Converse; `streamed`: ConverseStream), what each scenario gave, or the error it threw. */
export type StrandsResults = Record<'buffered' | 'streamed', { [K in keyof StrandsScenarios]?: StrandsScenarios[K] | { readonly error: string } }>;

/** Runs the scenarios (all, unless named) against `endpoint`; fails if the process does not end within `timeoutMs`. */
export function runStrandsAgent(endpoint: string, scenarios: Array<keyof StrandsScenarios> = [], timeoutMs = 120_000): Promise<StrandsResults> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', SCRIPT, endpoint, ...scenarios],
      { cwd: ROOT, env: withoutAwsOverrides(process.env), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`the Strands script failed (${error.message}):\n${stderr}`));
        else resolve(JSON.parse(stdout) as StrandsResults);
      },
    );
  });
}

/** A scenario's result; fails with the script's error when it threw. */
export function strandsResult<K extends keyof StrandsScenarios>(results: StrandsResults, mode: keyof StrandsResults, scenario: K): StrandsScenarios[K] {
  const result = results[mode][scenario];
  if (result === undefined) throw new Error(`the Strands script did not run ${scenario} (${mode})`);
  if ('error' in result) throw new Error(`Strands ${scenario} (${mode}) failed: ${result.error}`);
  return result as StrandsScenarios[K];
}
