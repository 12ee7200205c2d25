import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ASSET_HASH_PLACEHOLDER, normalizeTemplate } from '../../lib/testing';
import { testStack } from './test-app';

/** A stack with one Lambda function (and its current version) whose code asset holds `source`. */
function templateWithAsset(source: string): Record<string, unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asset-'));
  try {
    fs.writeFileSync(path.join(dir, 'index.js'), source);
    const stack = testStack({}, { 'aws:cdk:enable-asset-metadata': true });
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(dir),
    });
    fn.currentVersion;
    return Template.fromStack(stack).toJSON();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('normalizeTemplate', () => {
  test('changing only an asset\'s content leaves the normalized template unchanged', () => {
    const before = templateWithAsset('exports.handler = async () => 1;');
    const after = templateWithAsset('exports.handler = async () => 2;');
    expect(JSON.stringify(after)).not.toBe(JSON.stringify(before));
    expect(normalizeTemplate(after)).toEqual(normalizeTemplate(before));
  });

  test('replaces the hash, the bootstrap bucket and the asset path with placeholders', () => {
    const text = JSON.stringify(normalizeTemplate(templateWithAsset('exports.handler = async () => 1;')));
    expect(text).toContain(`${ASSET_HASH_PLACEHOLDER}.zip`);
    expect(text).toContain('[ASSET_BUCKET]');
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).not.toContain('cdk-hnb659fds-assets');
  });

  test('keeps everything else as it is', () => {
    const template = { Resources: { A: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'plain', Tags: [1, true, null] } } } };
    expect(normalizeTemplate(template)).toEqual(template);
  });
});
