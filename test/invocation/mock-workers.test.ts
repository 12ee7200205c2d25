import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BedrockInvocationLayer, MockInferenceWorkers } from '../../lib/invocation';
import { MockWorkerTiming } from '../../lib/invocation';
import { MOCK_WORKER_ENV_VAR } from '../../lib/mock/lambda/worker-environment';
import { REGISTRY_ENV_VAR } from '../../lib/runtime/lambda/environment';
import { appWithNag, nagFindings } from './nag';
import { routerRegistry } from './router-registry';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

function buildMockStack(app: App) {
  const stack = new Stack(app, 'Mock', { env: { account: '111122223333', region: 'us-east-2' } });
  const workers = new MockInferenceWorkers(stack, 'Workers', { timing: MockWorkerTiming.NONE });
  const layer = new BedrockInvocationLayer(stack, 'Invocation', { prefill: workers.prefill, decode: workers.decode, model: workers.model });
  return { stack, workers, layer };
}

describe('the mock workers', () => {
  let template: Template;
  let layer: BedrockInvocationLayer;

  beforeAll(() => {
    const built = buildMockStack(new App({ context: SKIP_BUNDLING }));
    layer = built.layer;
    template = Template.fromStack(built.stack);
  });

  it('run as functions behind IAM-authenticated, streaming function URLs', () => {
    template.resourceCountIs('AWS::Lambda::Url', 2);
    template.allResourcesProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [MOCK_WORKER_ENV_VAR]: JSON.stringify({ model: 'llama-3.3-70b-instruct', servedModelName: 'meta-llama/Llama-3.3-70B-Instruct', timing: 'none' }) } },
    });
  });

  it('are what the router is configured with, in prompt replay, and the router may invoke them', () => {
    const route = routerRegistry(template).models[0];
    expect(route.decode.canIngestKv).toBe(false);
    expect(route.modelIds).toContain('us.meta.llama3-3-70b-instruct-v1:0');
    expect(layer.modelIds).toContain('us.meta.llama3-3-70b-instruct-v1:0');
    const router = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f: any) => f.Properties.Handler === 'index.handler' && f.Properties.Environment.Variables[REGISTRY_ENV_VAR],
    ) as any;
    expect(JSON.stringify(router.Properties.Environment.Variables[REGISTRY_ENV_VAR])).toContain('WorkersDecodeFunctionFunctionUrl');
    expect(router.Properties.VpcConfig).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'lambda:InvokeFunctionUrl', Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } }),
        ]),
      },
    });
  });

  it('need no EC2 instance, Auto Scaling group, launch template or VPC', () => {
    for (const type of ['AWS::EC2::Instance', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::LaunchTemplate', 'AWS::EC2::VPC']) {
      template.resourceCountIs(type, 0);
    }
  });

  it('leave no unacknowledged cdk-nag finding', () => {
    const { stack } = buildMockStack(appWithNag({ context: SKIP_BUNDLING }));
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });
});
