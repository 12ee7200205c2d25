import { Match, Template } from 'aws-cdk-lib/assertions';
import { MockTiming, startMockCluster, type MockCluster } from '../../lib/mock';
import { testApp, withCdkEnv } from '../app/test-app';
import { handler } from './converse-probe';
import { buildMockModeInteg } from './integ.mock-mode';

/**
 * integ-tests-alpha's encoded expectation ($ObjectLike, $StringLike, $SerializedJson, $ArrayWith)
 * turned back into aws-cdk-lib's matchers, as its assertion handler does it.
 */
function decodeExpectation(encoded: string) {
  const decoders: Record<string, (pattern: any) => unknown> = {
    $ObjectLike: (p) => Match.objectLike(p),
    $StringLike: (p) => Match.stringLikeRegexp(p),
    $SerializedJson: (p) => Match.serializedJson(p),
    $ArrayWith: (p) => Match.arrayWith(p),
  };
  return JSON.parse(encoded, (_key, value) => {
    if (value === null || typeof value !== 'object') return value;
    const [first] = Object.keys(value);
    return decoders[first] ? decoders[first](value[first]) : value;
  });
}

/** The committed expectation of the integ test's Lambda invocation of the probe. */
function probeExpectation(): { test: (actual: unknown) => { hasFailed(): boolean; renderMismatch(): string } } {
  const { assertions } = withCdkEnv(undefined, undefined, () => buildMockModeInteg(testApp({ mode: 'mock', 'aws:cdk:bundling-stacks': [] })));
  const invoke = Object.values(Template.fromStack(assertions).toJSON().Resources as Record<string, { Type: string; Properties: any }>).find(
    (r) => r.Type === 'Custom::DeployAssert@SdkCallLambdainvoke',
  )!;
  return decodeExpectation(invoke.Properties.expected);
}

describe('the integ test\'s probe, against the local mock pipeline', () => {
  let mock: MockCluster;
  const saved = { ...process.env };
  beforeAll(async () => {
    // The request log lines are not under test here.
    mock = await startMockCluster({ port: 0, timing: MockTiming.NONE, gateway: { telemetry: () => undefined } });
    Object.assign(process.env, {
      API_URL: mock.endpoint,
      AWS_REGION: 'us-east-1',
      MODEL_ID: 'us.meta.llama3-3-70b-instruct-v1:0',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await mock.close();
  });

  test('reports what the committed integ assertion expects (a signed Converse and ConverseStream that agree)', async () => {
    const report = await handler();
    const result = probeExpectation().test({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: JSON.stringify(report) });
    expect(result.hasFailed() ? result.renderMismatch() : 'matched').toBe('matched');
    expect(report.converse.text.length).toBeGreaterThan(0);
  });

  test('the committed assertion is not one any answer passes', async () => {
    const report = await handler();
    const broken = { ...report, converseStream: { ...report.converseStream, sameTextAsConverse: false } };
    expect(probeExpectation().test({ StatusCode: 200, Payload: JSON.stringify(broken) }).hasFailed()).toBe(true);
  });
});
