import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RuntimeEntry, RuntimeFunction } from '../../lib/invocation/runtime-function';
import { MOCK_WORKER_ENV_VAR } from '../../lib/mock/lambda/worker-environment';
import { API_KEY_TABLE_ENV_VAR, REGISTRY_ENV_VAR } from '../../lib/runtime/lambda/environment';
import { installFakeAwsLambda } from '../runtime/lambda/fake-awslambda';

const ENTRIES = {
  Router: RuntimeEntry.ROUTER,
  ApiKeyAuthorizer: RuntimeEntry.API_KEY_AUTHORIZER,
  MockPrefill: RuntimeEntry.MOCK_PREFILL,
  MockDecode: RuntimeEntry.MOCK_DECODE,
};

/**
 * The Lambda bundles as `cdk synth` builds them: by the local esbuild (no Docker), free of the CDK
 * (the boundary that keeps the runtime deployable), and runnable as the Lambda runtime loads them.
 */
describe('the Lambda bundles', () => {
  const bundles: Record<string, string> = {};
  let template: Template;

  beforeAll(() => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-')) });
    const stack = new Stack(app, 'Bundle');
    const logEncryptionKey = new kms.Key(stack, 'LogKey');
    for (const [id, entry] of Object.entries(ENTRIES)) new RuntimeFunction(stack, id, { entry, handler: 'handler', logEncryptionKey });
    template = Template.fromStack(stack);
    const assembly = app.synth();
    for (const id of Object.keys(ENTRIES)) {
      const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([logicalId]) => new RegExp(`^${id}[0-9A-F]{8}$`).test(logicalId))!;
      bundles[id] = path.join(assembly.directory, `asset.${(fn[1].Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
    }
  }, 120_000);

  it('are built locally into index.js, for the runtime the functions name', () => {
    for (const dir of Object.values(bundles)) expect(fs.existsSync(path.join(dir, 'index.js'))).toBe(true);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('contain no aws-cdk-lib or constructs code', () => {
    for (const [id, dir] of Object.entries(bundles)) {
      const sources = (JSON.parse(fs.readFileSync(path.join(dir, 'index.js.map'), 'utf8')) as { sources: string[] }).sources;
      expect(sources.some((s) => s.includes(`lib/${ENTRIES[id as keyof typeof ENTRIES].file}`))).toBe(true);
      expect(sources.filter((s) => /aws-cdk-lib|\/constructs\//.test(s))).toEqual([]);
    }
  });

  it('load and answer as the Lambda runtime would run them', async () => {
    const saved = { ...process.env };
    installFakeAwsLambda();
    try {
      process.env[REGISTRY_ENV_VAR] = JSON.stringify({ models: [] });
      process.env[MOCK_WORKER_ENV_VAR] = JSON.stringify({ model: 'llama-3.3-70b-instruct', servedModelName: 'm', timing: 'none' });
      // The request's embedded-metric line goes to stdout, raw, as in Lambda; it is not under test here.
      const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const router = require(path.join(bundles.Router, 'index.js'));
      const answer = await router.handler({
        resource: '/model/{modelId}/converse',
        path: '/model/meta.unknown-v1%3A0/converse',
        httpMethod: 'POST',
        headers: { 'Content-Type': 'application/json' },
        pathParameters: { modelId: 'meta.unknown-v1:0' },
        body: Buffer.from('{"messages":[]}').toString('base64'),
        isBase64Encoded: true,
      });
      const written = write.mock.calls.map((c) => String(c[0]));
      write.mockRestore();
      expect(answer.statusCode).toBe(404);
      expect(written[0]).toMatch(/^\{"_aws":\{.*"Namespace":"DisaggregatedInference"/);
      expect(answer.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
      expect(typeof router.streamingHandler).toBe('function');
      for (const id of ['MockPrefill', 'MockDecode']) {
        expect(typeof require(path.join(bundles[id], 'index.js')).handler).toBe('function');
      }
      // The authorizer reads its table and region at load; a header that is no key is refused without a table read.
      process.env[API_KEY_TABLE_ENV_VAR] = 'Keys';
      process.env.AWS_REGION = 'us-east-2';
      const authorizer = require(path.join(bundles.ApiKeyAuthorizer, 'index.js'));
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      const refused = await authorizer.handler({ type: 'TOKEN', authorizationToken: 'Bearer nonsense', methodArn: 'arn:aws:execute-api:us-east-2:111122223333:abc123/v1/POST/key/model/m/converse' });
      log.mockRestore();
      expect(refused.policyDocument.Statement).toEqual([
        { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: 'arn:aws:execute-api:us-east-2:111122223333:abc123/v1/POST/key/*' },
      ]);
    } finally {
      process.env = saved;
    }
  });
});
