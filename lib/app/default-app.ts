import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { DisaggregatedInference } from '../disaggregated-inference';
import { addControls } from './controls';
import { readDefaultAppContext } from './default-app-context';
import { defaultInferenceProps } from './default-app-props';

/** Name of the default app's stack. */
export const DEFAULT_STACK_NAME = 'DisaggregatedInference';

/** Options of {@link buildDefaultStack}. */
export interface DefaultStackOptions {
  /**
   * The CloudFormation stack name (the construct, and so every logical id, stays the same).
   * @default DEFAULT_STACK_NAME
   */
  readonly stackName?: string;
}

/** What {@link buildDefaultApp} built. */
export interface DefaultApp {
  readonly stack: Stack;
  readonly inference: DisaggregatedInference;
}

/**
 * The app `cdk synth` runs: the default stack ({@link buildDefaultStack}) and the controls
 * (cdk-nag's AwsSolutions pack and AWS Control Tower's proactive controls) on every synth.
 */
export function buildDefaultApp(app: App): DefaultApp {
  const built = buildDefaultStack(app);
  addControls(app);
  return built;
}

/**
 * The default app's stack: `DisaggregatedInference` configured from context, its outputs, and
 * the stack's account and region from CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION when both are set
 * (environment-agnostic otherwise). The integ test deploys it as is.
 */
export function buildDefaultStack(app: App, options: DefaultStackOptions = {}): DefaultApp {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const props = defaultInferenceProps(readDefaultAppContext(app));
  const stack = new Stack(app, DEFAULT_STACK_NAME, {
    stackName: options.stackName,
    env: account && region ? { account, region } : undefined,
    description: props.mode?.isMock
      ? 'Disaggregated LLM inference, mock mode: the Bedrock-style API in front of mock workers in Lambda'
      : 'Disaggregated LLM inference: Trainium prefill, decode endpoint, EFA network, Nitro isolation, Bedrock-style API',
  });
  const inference = new DisaggregatedInference(stack, 'Inference', props);
  const invocation = inference.invocation;
  if (invocation) {
    new CfnOutput(stack, 'ApiUrl', {
      value: invocation.apiUrl,
      description: 'Bedrock Runtime-compatible endpoint (IAM auth, SigV4 service execute-api): the client\'s `endpoint`',
    });
  }
  if (invocation?.apiKeyUrl && invocation.apiKeyAuthorizer) {
    new CfnOutput(stack, 'ApiKeyUrl', {
      value: invocation.apiKeyUrl,
      description: 'The same endpoint for Bedrock-style API keys (Authorization: Bearer, AWS_BEARER_TOKEN_BEDROCK)',
    });
    new CfnOutput(stack, 'ApiKeyTableName', {
      value: invocation.apiKeyAuthorizer.table.tableName,
      description: 'The table of API key hashes: npm run api-key -- create --table <this>',
    });
  }
  return { stack, inference };
}
