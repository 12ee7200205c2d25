/**
 * The integ test (the CDK convention, @aws-cdk/integ-tests-alpha): the mock-mode stack exactly as
 * `cdk deploy -c mode=mock` deploys it, then, from an assertion stack, a signed Converse and
 * ConverseStream through the deployed API (the probe function) and an unsigned request that IAM
 * refuses. `npm run integ:mock` deploys, asserts and destroys it; test/integ/integ-snapshot.test.ts
 * checks its templates offline in the suite.
 */
import * as path from 'path';
import { App, Duration, RemovalPolicies, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { buildDefaultStack } from '../../lib/app';

/** The test's name, and the prefix of its stacks. */
export const INTEG_NAME = 'MockModeInteg';

export function buildMockModeInteg(app: App) {
  // Its own stack name, beside a mock or real deployment of the default app in the same account.
  const { stack, inference } = buildDefaultStack(app, { stackName: `${INTEG_NAME}-DisaggregatedInference` });
  const invocation = inference.invocation;
  if (!inference.mockWorkers || !invocation) throw new Error(`${INTEG_NAME} needs the mock app: synthesize it with the context mode=mock.`);
  // A test leaves nothing behind: the keys and log groups the stack retains for users go with it.
  RemovalPolicies.of(stack).destroy();

  const assertions = new Stack(app, `${INTEG_NAME}Assertions`);
  const probe = new nodejs.NodejsFunction(assertions, 'ConverseProbe', {
    entry: path.join(__dirname, 'converse-probe.ts'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    timeout: Duration.minutes(2),
    description: `${INTEG_NAME}: a signed Converse and ConverseStream through the deployed API`,
    environment: { API_URL: invocation.apiUrl, MODEL_ID: invocation.modelIds.find((id) => id.startsWith('us.')) ?? invocation.modelIds[0] },
    bundling: { bundleAwsSDK: true, target: 'node24' },
  });
  invocation.grantInvoke(probe);

  const integ = new IntegTest(app, INTEG_NAME, {
    testCases: [stack],
    assertionStack: assertions,
    cdkCommandOptions: { destroy: { args: { force: true } } },
  });
  integ.assertions
    .invokeFunction({ functionName: probe.functionName })
    .expect(
      ExpectedResult.objectLike({
        StatusCode: 200,
        Payload: Match.serializedJson(
          Match.objectLike({
            converse: Match.objectLike({ stopReason: Match.stringLikeRegexp('^(end_turn|max_tokens)$'), text: Match.stringLikeRegexp('\\S'), usageAddsUp: true }),
            converseStream: {
              events: ['messageStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata'],
              stopReason: Match.stringLikeRegexp('^(end_turn|max_tokens)$'),
              sameTextAsConverse: true,
            },
          }),
        ),
      }),
    );
  // Unsigned, the same request is refused: IAM authorization is on.
  integ.assertions
    .httpApiCall(`${invocation.apiUrl}/model/${invocation.modelIds[0]}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    })
    .expect(ExpectedResult.objectLike({ status: 403 }));
  return { stack, assertions, integ };
}

if (require.main === module) {
  const app = new App({ context: { mode: 'mock' } });
  buildMockModeInteg(app);
  app.synth();
}
