import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RuntimeEntry, RuntimeFunction } from '../../lib/invocation';

/**
 * The router bundle as `cdk synth` builds it: by the local esbuild (no Docker), loadable, and
 * free of the CDK (the boundary that keeps the runtime deployable).
 */
describe('the router bundle', () => {
  let bundleDir: string;
  let template: Template;

  beforeAll(() => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundle');
    new RuntimeFunction(stack, 'Router', { entry: RuntimeEntry.ROUTER, handler: 'handler' });
    template = Template.fromStack(stack);
    const assembly = app.synth();
    const code = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Code;
    const assetKey: string = code.S3Key;
    bundleDir = path.join(assembly.directory, `asset.${assetKey.replace(/\.zip$/, '')}`);
  }, 120_000);

  it('is built locally into index.js with the handler the function names', () => {
    expect(fs.existsSync(path.join(bundleDir, 'index.js'))).toBe(true);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('contains no aws-cdk-lib or constructs code', () => {
    const source = fs.readFileSync(path.join(bundleDir, 'index.js'), 'utf8');
    expect(source).not.toMatch(/node_modules\/aws-cdk-lib|node_modules\/constructs/);
    const map = fs.readFileSync(path.join(bundleDir, 'index.js.map'), 'utf8');
    const sources = (JSON.parse(map) as { sources: string[] }).sources;
    expect(sources.some((s) => s.includes('lib/runtime/lambda/router-handler.ts'))).toBe(true);
    expect(sources.filter((s) => /aws-cdk-lib|\/constructs\//.test(s))).toEqual([]);
  });
});
