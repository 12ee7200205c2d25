import { runStrandsAgent, StrandsResults, strandsResult } from './clients/strands';
import { ANSWER_WITH_TOOL_RESULT, EXPECTED_TOOL_INPUT, promptTokens } from './conversation';
import { useInteropMock } from './harness';

// Strands Agents TS (@strands-agents/sdk 1.16.0) over the AWS SDK's HTTP/2, its model streaming
// (ConverseStream, the default) or not (Converse): the Agent and its loop, and the model's tool choice.
// The scenarios run in one child Node process (clients/strands-agent.mts); the tests read what came back.

const mock = useInteropMock();
let results: StrandsResults;
beforeAll(async () => {
  // Beyond the script's own limit, so its error (with the child's stderr) is what a hang reports.
  results = await runStrandsAgent(mock.endpoint());
}, 150_000);

describe.each(['buffered', 'streamed'] as const)('Strands Agents, %s', (mode) => {
  const result = <K extends Parameters<typeof strandsResult>[2]>(scenario: K) => strandsResult(results, mode, scenario);

  test('a plain prompt, no system prompt: text, endTurn, usage', () => {
    const plain = result('plain');
    expect(plain.stopReason).toBe('endTurn');
    expect(plain.blockTypes).toEqual(['textBlock']);
    expect(plain.text).toMatch(/\w+/);
    expect(plain.usage!.inputTokens).toBeGreaterThan(0);
    expect(plain.usage!.outputTokens).toBeGreaterThan(0);
    // A streaming model streams: the text came in several deltas (a buffered answer is one).
    if (mode === 'streamed') expect(plain.deltas.text).toBeGreaterThan(1);
  });

  test('a system prompt reaches the model (it counts as input)', () => {
    expect(result('system').text).toMatch(/\w+/);
    expect(promptTokens(result('system').usage)).toBeGreaterThan(promptTokens(result('plain').usage));
  });

  test("multi-turn: the agent keeps the conversation, and its second turn's prompt carries the first", () => {
    const multi = result('multiTurn');
    expect(multi.roles).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(multi.stopReason).toBe('endTurn');
    expect(multi.text).toMatch(/\w+/);
    expect(multi.contextSize).toBeGreaterThan(result('plain').contextSize!);
  });

  test("a forced tool call (the model's toolChoice tool) on a message that does not name the tool", () => {
    expect(result('forcedToolCall')).toEqual({ stopReason: 'toolUse', toolUses: [{ name: 'get_weather', input: EXPECTED_TOOL_INPUT }] });
  });

  test('auto: a call when the message names the tool; an agent asked something else answers without running it', () => {
    expect(result('autoToolCall')).toEqual({ stopReason: 'toolUse', toolUses: [{ name: 'get_weather', input: EXPECTED_TOOL_INPUT }] });
    const other = result('noToolNamed');
    expect(other.toolInputs).toEqual([]);
    expect(other.stopReason).toBe('endTurn');
    expect(other.text).toMatch(/\w+/);
  });

  test("the agent loop: the model asks for the tool, the Agent runs it and sends the result, the model answers with text", () => {
    const loop = result('agentLoop');
    expect(loop.toolInputs).toEqual([EXPECTED_TOOL_INPUT]);
    expect(loop.messages).toEqual(['user:textBlock', 'assistant:toolUseBlock', 'user:toolResultBlock', 'assistant:textBlock']);
    expect(loop.stopReason).toBe('endTurn');
    expect(loop.text).toBe(ANSWER_WITH_TOOL_RESULT);
  });

  test('a reasoning model: a reasoningBlock before the text', () => {
    const reasoning = result('reasoning');
    expect(reasoning.blockTypes).toEqual(['reasoningBlock', 'textBlock']);
    expect(reasoning.reasoning).toMatch(/\w+/);
    expect(reasoning.text).toMatch(/\w+/);
    if (mode === 'streamed') expect(reasoning.deltas.reasoning).toBeGreaterThan(1);
  });

  test('the agent loop on the reasoning model: each answer with its reasoningBlock, ending in text', () => {
    const loop = result('reasoningAgentLoop');
    expect(loop.toolInputs).toEqual([EXPECTED_TOOL_INPUT]);
    expect(loop.messages).toEqual(['user:textBlock', 'assistant:reasoningBlock,toolUseBlock', 'user:toolResultBlock', 'assistant:reasoningBlock,textBlock']);
    expect(loop.text).toBe(ANSWER_WITH_TOOL_RESULT);
    expect(loop.reasoning).toMatch(/\w+/);
  });
});
