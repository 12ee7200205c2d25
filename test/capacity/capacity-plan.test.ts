import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { DecodeBackend, DisaggregatedInference, SLO_NOT_MET_WARNING, TokenLengths } from '../../lib';
import { defaultApp, testApp } from '../app/test-app';

/** 3 requests/s of 4k-token prompts over the default fleets (trn2.48xlarge prefill and decode, at most 2 each). */
const WORKLOAD = { requestsPerSecond: 3, inputTokens: TokenLengths.exactly(4000), outputTokens: TokenLengths.exactly(300) };

function synthesize(props: ConstructorParameters<typeof DisaggregatedInference>[2]) {
  const app = testApp();
  const stack = new Stack(app, 'Planned');
  const inference = new DisaggregatedInference(stack, 'Inference', props);
  return { app, stack, inference };
}

describe('a capacity plan the configured fleets cannot meet', () => {
  // TPOT p90 under 22 ms at this rate needs more decode hosts than the default two.
  const { app, stack, inference } = synthesize({ workload: WORKLOAD, slo: { timeToFirstToken: Duration.seconds(1), timePerOutputToken: Duration.millis(22) } });
  const plan = inference.capacityPlan!;

  test('warns, naming the counts that would meet it', () => {
    expect(plan.meetsSlo).toBe(false);
    expect(plan.recommendedDecodeHosts).toBeGreaterThan(2);
    Annotations.fromStack(stack).hasWarning(
      '/Planned/Inference/CapacityPlan',
      Match.stringLikeRegexp(
        `The configured capacities \\(2 prefill, 2 decode hosts\\) cannot meet the SLO TTFT p90 <= 1000 ms, TPOT p90 <= 22 ms \\(predicted .*\\): ` +
          `${plan.recommendedPrefillHosts} prefill and ${plan.recommendedDecodeHosts} decode hosts would \\(.*\\)\\. \\[ack: ${SLO_NOT_MET_WARNING}\\]`,
      ),
    );
  });

  test('adds an info annotation with the predicted figures', () => {
    Annotations.fromStack(stack).hasInfo(
      '/Planned/Inference/CapacityPlan',
      Match.stringLikeRegexp(
        'Capacity plan \\(simulated\\): at 3 requests/s of 4000-token prompts and 300-token answers, 2 prefill \\(trn2.48xlarge \\(TP 64\\)\\) and 2 decode ' +
          '\\(trn2.48xlarge \\(TP 64\\)\\) hosts give TTFT p50/p90/p99 [\\d.]+/[\\d.]+/[\\d.]+ ms, TPOT [\\d.]+/[\\d.]+/[\\d.]+ ms, goodput [\\d.]+ requests/s, \\$143.04/h; ' +
          'SLO TTFT p90 <= 1000 ms, TPOT p90 <= 22 ms: missed\\. The plan: .*\\.plan\\.json in the cloud assembly\\.',
      ),
    );
  });

  test('writes the whole plan as JSON beside the stack\'s template', () => {
    const assembly = app.synth();
    const directory = path.dirname(path.join(assembly.directory, assembly.getStackByName(stack.stackName).templateFile));
    const report = JSON.parse(fs.readFileSync(path.join(directory, plan.fileName), 'utf8'));
    expect(report.given.fleet).toEqual({ prefillHosts: 2, decodeHosts: 2 });
    expect(report.given.meetsSlo).toBe(false);
    expect(report.recommended.fleet).toEqual({ prefillHosts: plan.recommendedPrefillHosts, decodeHosts: plan.recommendedDecodeHosts });
    expect(report.recommended.meetsSlo).toBe(true);
    expect(report.kvHandoff).toBe('pull');
  });
});

test('fleets that meet the SLO get the plan without a warning', () => {
  const { stack, inference } = synthesize({
    workload: { requestsPerSecond: 0.5, inputTokens: TokenLengths.exactly(2000) },
    slo: { timeToFirstToken: Duration.seconds(2) },
    prefill: { maxCapacity: 2 },
  });
  expect(inference.capacityPlan!.meetsSlo).toBe(true);
  Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('cannot meet the SLO'));
  Annotations.fromStack(stack).hasInfo('/Planned/Inference/CapacityPlan', Match.stringLikeRegexp('SLO TTFT p90 <= 2000 ms: met\\.'));
});

test('a CS-3 that replays prompts is planned as such: the prefill fleet serves nothing', () => {
  const { inference } = synthesize({
    decode: DecodeBackend.cs3Url('https://cs3.example.com'),
    workload: { requestsPerSecond: 1, inputTokens: TokenLengths.exactly(1000) },
    slo: { timeToFirstToken: Duration.seconds(1) },
  });
  expect(inference.capacityPlan!.recommendedPrefillHosts).toBe(0);
});

test('a workload without an SLO (or the reverse) is an error naming the fix', () => {
  expect(() => synthesize({ workload: WORKLOAD })).toThrow('Planned/Inference: a capacity plan needs both a workload and an slo; add an slo or drop the other.');
  expect(() => synthesize({ slo: { timeToFirstToken: Duration.seconds(1) } })).toThrow('add a workload or drop the other');
});

describe('the default app plans from context', () => {
  test('requestsPerSecond and an SLO key add the plan', () => {
    const { stack, inference } = defaultApp({ requestsPerSecond: '2', inputTokens: '3000', outputTokens: '200', sloTtftP90Ms: '800' });
    expect(inference.capacityPlan).toBeDefined();
    Annotations.fromStack(stack).hasInfo('*', Match.stringLikeRegexp('at 2 requests/s of 3000-token prompts and 200-token answers.*SLO TTFT p90 <= 800 ms'));
  });

  test('without requestsPerSecond there is no plan; half a plan is an error naming the missing key', () => {
    expect(defaultApp().inference.capacityPlan).toBeUndefined();
    expect(() => defaultApp({ requestsPerSecond: '2' })).toThrow(
      'Context requestsPerSecond=2 asks for a capacity plan, which needs an SLO: pass -c sloTtftP90Ms=<ms>, -c sloTpotP90Ms=<ms> or both.',
    );
    expect(() => defaultApp({ sloTtftP90Ms: '800' })).toThrow("Context sloTtftP90Ms describe a capacity plan's workload or SLO, which needs -c requestsPerSecond=<rate> too.");
    expect(() => defaultApp({ requestsPerSecond: 'lots', sloTtftP90Ms: '1' })).toThrow("Context requestsPerSecond='lots' is not a non-negative number; pass e.g. -c requestsPerSecond=2.");
  });
});
