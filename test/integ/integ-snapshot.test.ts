import { Template } from 'aws-cdk-lib/assertions';
import { normalizeTemplate } from '../../lib/testing';
import { testApp, withCdkEnv } from '../app/test-app';
import { buildMockModeInteg, INTEG_NAME } from './integ.mock-mode';

/**
 * The integ test's snapshot, checked offline: its stacks as integ-runner would synthesize them
 * (integ-runner 2.197.10, the newest published, cannot read aws-cdk-lib 2.276's cloud assembly
 * schema 55, so it cannot check its own snapshot here; see the README's integ test section).
 */
describe(`the integ test ${INTEG_NAME}`, () => {
  let built: ReturnType<typeof buildMockModeInteg>;
  beforeAll(() => {
    // integ-tests-alpha salts each assertion call with Date.now(), to rerun it on every deployment.
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-01-01T00:00:00Z'));
    try {
      built = withCdkEnv(undefined, undefined, () => buildMockModeInteg(testApp({ mode: 'mock' })));
    } finally {
      now.mockRestore();
    }
  }, 120_000);

  test('deploys the mock-mode stack under its own name, everything in it removed with it', () => {
    expect(built.stack.stackName).toBe(`${INTEG_NAME}-DisaggregatedInference`);
    const template = Template.fromStack(built.stack).toJSON();
    for (const [id, resource] of Object.entries(template.Resources as Record<string, { DeletionPolicy?: string }>)) {
      expect([id, resource.DeletionPolicy ?? 'Delete']).not.toEqual([id, 'Retain']);
    }
  });

  test('asserts a signed Converse and ConverseStream through the probe, and an unsigned request refused', () => {
    const assertions = Template.fromStack(built.assertions);
    const calls = Object.values(assertions.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>).filter((r) =>
      r.Type.startsWith('Custom::DeployAssert@'),
    );
    expect(calls.map((c) => c.Type).sort()).toEqual(['Custom::DeployAssert@HttpCall', 'Custom::DeployAssert@SdkCallLambdainvoke'].sort());
    expect(JSON.stringify(calls)).toContain('sameTextAsConverse');
    assertions.hasResourceProperties('AWS::Lambda::Function', { Description: `${INTEG_NAME}: a signed Converse and ConverseStream through the deployed API` });
  });

  test.each(['stack', 'assertions'] as const)('matches the committed snapshot (%s, asset hashes normalized)', (which) => {
    expect(normalizeTemplate(Template.fromStack(built[which]).toJSON())).toMatchSnapshot();
  });
});
