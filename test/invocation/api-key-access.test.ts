import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ApiKeyAccess, BedrockInvocationLayer } from '../../lib/invocation';
import { API_KEY_HEADER_PATTERN } from '../../lib/runtime/auth/api-key';
import { BedrockOperation } from '../../lib/runtime/bedrock/operations';
import { OpenAiRoute } from '../../lib/runtime/openai/openai-routes';
import { API_KEY_TABLE_ENV_VAR } from '../../lib/runtime/lambda/environment';
import { buildTestTiers, TEST_MODEL } from './doubles';
import { appWithNag, nagFindings } from './nag';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

function layerWith(apiKeys: ApiKeyAccess | undefined, app = new App({ context: SKIP_BUNDLING })) {
  const t = buildTestTiers(app);
  const layer = new BedrockInvocationLayer(t.stack, 'Invocation', { prefill: t.prefill, decode: t.decode, vpc: t.vpc, ...TEST_MODEL, apiKeys });
  return { t, layer, get template() { return Template.fromStack(t.stack); } };
}

type Resource = { Properties: Record<string, any> };

/** Each method as `<parent>/<grandparent>/.../<operation> <auth>`: the API's shape, per authorization. */
function methodsByPath(template: Template): string[] {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>;
  const pathOf = (id: string): string => {
    const r = resources[id];
    const parent = r.Properties.ParentId.Ref;
    return parent && resources[parent] ? `${pathOf(parent)}/${r.Properties.PathPart}` : `/${r.Properties.PathPart}`;
  };
  return (Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[])
    .map((m) => `${pathOf(m.Properties.ResourceId.Ref)} ${m.Properties.AuthorizationType}`)
    .sort();
}

describe('bearer API keys (ApiKeyAccess.bearer)', () => {
  let built: ReturnType<typeof layerWith>;
  let template: Template;
  beforeAll(() => {
    built = layerWith(ApiKeyAccess.bearer());
    template = built.template;
  });

  it('add every operation again under /key with the key authorizer, and keep IAM on the plain paths', () => {
    const ops = BedrockOperation.ALL.map((o) => o.pathSuffix);
    // The OpenAI-compatible path is IAM-authorized only.
    const openAi = OpenAiRoute.ALL.map((r) => `${OpenAiRoute.PREFIX}/${r.segments.join('/')} AWS_IAM`);
    expect(methodsByPath(template)).toEqual(
      [...ops.map((op) => `/model/{modelId}/${op} AWS_IAM`), ...ops.map((op) => `/key/model/{modelId}/${op} CUSTOM`), ...openAi].sort(),
    );
    expect(built.t.stack.resolve(built.layer.apiKeyUrl)).toEqual(
      expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining(['/key'])] }),
    );
  });

  it('check the Authorization header: 401 without a well-formed bearer key before the function runs, answers cached a minute', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: API_KEY_HEADER_PATTERN,
      AuthorizerResultTtlInSeconds: 60,
      AuthorizerCredentials: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiInvokeRole'), 'Arn'] },
    });
    // Invoked through the role, not a resource policy.
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  it('keep the key hashes in a table encrypted with a customer-managed key, with point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'keyId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('let the authorizer read one item by key (GetItem only) and decrypt it, from the router\'s VPC', () => {
    const fn = built.layer.apiKeyAuthorizer!.function;
    const tableArn = built.t.stack.resolve((built.layer.apiKeyAuthorizer!.table as dynamodb.Table).tableArn);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: [tableArn] },
          Match.objectLike({ Action: 'kms:Decrypt', Effect: 'Allow' }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('ApiKeysRole') }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [API_KEY_TABLE_ENV_VAR]: built.t.stack.resolve(built.layer.apiKeyAuthorizer!.table.tableName) }) },
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
    });
    expect(fn.isBoundToVpc).toBe(true);
  });

  it('take a table of your own and a cache time', () => {
    const app = new App({ context: SKIP_BUNDLING });
    const t = buildTestTiers(app);
    const table = dynamodb.Table.fromTableName(t.stack, 'Keys', 'my-keys');
    new BedrockInvocationLayer(t.stack, 'Invocation', {
      prefill: t.prefill, decode: t.decode, vpc: t.vpc, ...TEST_MODEL,
      apiKeys: ApiKeyAccess.bearer({ table, cacheTtl: Duration.seconds(0) }),
    });
    const template = Template.fromStack(t.stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [API_KEY_TABLE_ENV_VAR]: 'my-keys' }) } });
  });

  it('leave no unacknowledged cdk-nag finding', () => {
    const { t } = layerWith(ApiKeyAccess.bearer(), appWithNag({ context: SKIP_BUNDLING }));
    expect(nagFindings(t.app).filter((f) => f.constructPath.startsWith('Tiers/Invocation/'))).toEqual([]);
  });
});

describe('without bearer API keys (the default)', () => {
  it('has IAM methods only, no authorizer, no table and no key URL', () => {
    for (const apiKeys of [undefined, ApiKeyAccess.none()]) {
      const { layer, template } = layerWith(apiKeys);
      expect(methodsByPath(template).every((m) => (m.startsWith('/model/') || m.startsWith(`${OpenAiRoute.PREFIX}/`)) && m.endsWith(' AWS_IAM'))).toBe(true);
      template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
      template.resourceCountIs('AWS::DynamoDB::Table', 0);
      expect(layer.apiKeyUrl).toBeUndefined();
    }
  });
});
