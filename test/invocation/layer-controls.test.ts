import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BedrockInvocationLayer } from '../../lib/invocation';
import { buildTestTiers, TEST_MODEL } from './doubles';

/** What the invocation layer does for AWS Control Tower's proactive controls, by default. */
describe('the invocation layer under the controls', () => {
  let template: Template;
  let layer: BedrockInvocationLayer;
  beforeAll(() => {
    const t = buildTestTiers(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    layer = new BedrockInvocationLayer(t.stack, 'Invocation', { prefill: t.prefill, decode: t.decode, vpc: t.vpc, ...TEST_MODEL });
    template = Template.fromStack(t.stack);
  });

  const resolve = (value: unknown) => layer.api.stack.resolve(value);

  it('gives each router function a log group of its own, KMS-encrypted with the layer key and kept a year (CT.CLOUDWATCH.PR.2, .3)', () => {
    const keyArn = resolve(layer.logEncryptionKey.keyArn);
    for (const fn of [layer.routerFunction, layer.streamingRouterFunction]) {
      const { LoggingConfig } = template.toJSON().Resources[Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement)].Properties;
      const logGroupId = LoggingConfig.LogGroup.Ref;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { KmsKeyId: keyArn, RetentionInDays: 365 },
        DeletionPolicy: 'Retain',
      });
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: Match.anyValue() });
  });

  it('notifies a topic of its own by default: KMS-encrypted with a key CloudWatch alarms may use, TLS only (CT.CLOUDWATCH.PR.1)', () => {
    const topic = resolve(layer.alarms.topic.topicArn);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: Record<string, any> }>) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Encrypts the alarm notifications of the Bedrock-style API',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111122223333' } }),
          }),
        ]),
      },
    });
  });

  it('limits grants on every key it makes to AWS services (CT.KMS.PR.3)', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key')) as Array<{ Properties: Record<string, any> }>;
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'GrantsOnlyForAwsResourcesOrByAwsServices',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
  });

  it('lets API Gateway invoke exactly the two router functions through a role, with no resource policy on any function (CT.LAMBDA.PR.2)', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    const role = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] } },
    });
    const [roleId] = Object.keys(role).filter((id) => id.includes('ApiInvokeRole'));
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'lambda:InvokeFunction',
            Effect: 'Allow',
            Resource: [resolve(layer.routerFunction.functionArn), resolve(layer.streamingRouterFunction.functionArn)],
          },
        ],
      },
    });
    for (const method of Object.values(template.findResources('AWS::ApiGateway::Method')) as Array<{ Properties: Record<string, any> }>) {
      expect(method.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Credentials: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    }
  });
});
