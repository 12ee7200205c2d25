import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DisaggregatedInference } from '../../lib/disaggregated-inference';
import { ModelArtifactCache } from '../../lib/fleet';
import { ARTIFACT_CACHE_SCRIPT } from '../../lib/fleet/artifact-cache-script';
import { InvocationApi } from '../../lib/invocation';
import { TrainiumPrefillFleet } from '../../lib/prefill';
import { testStack } from '../app/test-app';
import { fleetScaffold, instanceRoleStatements, launchTemplateData, userDataText } from '../prefill/fleet-fixtures';

/**
 * A stand-in for the AWS CLI over a local directory as S3 (`$S3_ROOT/<bucket>/<key>`), with the
 * semantics the protocol relies on: head-object fails on a missing key; put-object with
 * `--if-none-match '*'` creates the key or fails when it exists (O_EXCL, like S3's 412); sync copies
 * a tree, skipping `--exclude` names. Calls are logged to `$S3_ROOT/calls.log`.
 */
const FAKE_AWS = `#!/bin/bash
echo "$*" >> "$S3_ROOT/calls.log"
local_path() { local u=\${1#s3://}; echo "$S3_ROOT/$u"; }
case "$1 $2" in
  "s3api head-object") [ -f "$S3_ROOT/$4/$6" ] ;;
  "s3api put-object")
    bucket=$4 key=$6 body=$8; shift 8; exclusive=0
    while [ $# -gt 0 ]; do [ "$1" = --if-none-match ] && exclusive=1; shift; done
    mkdir -p "$(dirname "$S3_ROOT/$bucket/$key")"
    if [ $exclusive = 1 ]; then (set -o noclobber; cat "$body" > "$S3_ROOT/$bucket/$key") 2>/dev/null || exit 254
    else cat "$body" > "$S3_ROOT/$bucket/$key"; fi ;;
  "s3 sync")
    src=$3 dst=$4; shift 4; excludes=" "
    while [ $# -gt 0 ]; do [ "$1" = --exclude ] && { excludes+="$2 "; shift; }; shift; done
    [[ $src == s3://* ]] && src=$(local_path "$src"); [[ $dst == s3://* ]] && dst=$(local_path "$dst")
    mkdir -p "$dst"
    (cd "$src" && find . -type f | sed 's|^\./||') | while read -r file; do
      [[ $excludes == *" $file "* ]] && continue
      mkdir -p "$(dirname "$dst/$file")" && cp "$src/$file" "$dst/$file"
    done ;;
  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`;

/** A host: the cache script with the fake CLI on PATH, sharing `root` as S3 with the other hosts. */
function host(root: string, instanceId: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${instanceId}-`));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin', 'aws'), FAKE_AWS, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'artifact-cache.sh'), ARTIFACT_CACHE_SCRIPT, { mode: 0o755 });
  return (...args: string[]) => spawnSync('bash', [path.join(dir, 'artifact-cache.sh'), ...args], {
    encoding: 'utf8',
    env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, S3_ROOT: root, ARTIFACT_CACHE_BUCKET: 'cache', INSTANCE_ID: instanceId },
  });
}

function directoryWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('the artifact cache protocol (the script the instances run)', () => {
  const key = 'compiled/0123456789abcdef/ami-0123';
  let s3Root: string;
  beforeEach(() => {
    s3Root = fs.mkdtempSync(path.join(os.tmpdir(), 's3-'));
  });
  const entry = (name: string) => path.join(s3Root, 'cache', key, name);

  test('a host finds nothing staged before the first host published', () => {
    const run = host(s3Root, 'i-b')('fetch', key, directoryWith({}));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`artifact-cache: s3://cache/${key} is not staged yet`);
  });

  test('the first host stages its directory: lock, upload, then the _COMPLETE marker last', () => {
    const compiled = directoryWith({ 'neuron/compile_cache/abc/model.neff': 'neff', 'neuron-compiled-artifacts/x.pt': 'pt' });
    const run = host(s3Root, 'i-a')('publish', key, compiled);
    expect(run.status).toBe(0);
    expect(fs.readFileSync(entry('neuron/compile_cache/abc/model.neff'), 'utf8')).toBe('neff');
    expect(fs.readFileSync(entry('_COMPLETE'), 'utf8')).toMatch(/^i-a /);
    expect(fs.readFileSync(entry('_UPLOADING'), 'utf8')).toMatch(/^i-a /);
    const calls = fs.readFileSync(path.join(s3Root, 'calls.log'), 'utf8').split('\n');
    const lock = calls.findIndex((c) => c.includes(`--key ${key}/_UPLOADING`));
    expect(calls[lock]).toContain("--if-none-match *");
    expect(calls[lock]).toContain('--tagging artifact-cache-lock=true');
    const upload = calls.findIndex((c) => c.startsWith('s3 sync '));
    const marker = calls.findIndex((c) => c.includes(`--key ${key}/_COMPLETE`) && c.startsWith('s3api put-object'));
    expect(lock).toBeLessThan(upload);
    expect(upload).toBeLessThan(marker);
  });

  test('a later host loads the staged entry without the protocol files', () => {
    host(s3Root, 'i-a')('publish', key, directoryWith({ 'neuron/compile_cache/abc/model.neff': 'neff' }));
    const local = directoryWith({});
    const run = host(s3Root, 'i-b')('fetch', key, local);
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(local, 'neuron/compile_cache/abc/model.neff'), 'utf8')).toBe('neff');
    expect(fs.existsSync(path.join(local, '_COMPLETE'))).toBe(false);
    expect(fs.existsSync(path.join(local, '_UPLOADING'))).toBe(false);
  });

  test('while one host holds the lock, another neither uploads nor marks the entry', () => {
    fs.mkdirSync(path.dirname(entry('_UPLOADING')), { recursive: true });
    fs.writeFileSync(entry('_UPLOADING'), 'i-a 2030-01-01T00:00:00Z');
    const run = host(s3Root, 'i-b')('publish', key, directoryWith({ 'half.neff': 'b' }));
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('is being staged by another host');
    expect(fs.existsSync(entry('half.neff'))).toBe(false);
    expect(fs.existsSync(entry('_COMPLETE'))).toBe(false);
    // And a reader does not load the half-staged entry.
    expect(host(s3Root, 'i-c')('fetch', key, directoryWith({})).status).toBe(1);
  });

  test('a staged entry is never uploaded again, and an empty directory never staged', () => {
    const a = host(s3Root, 'i-a');
    a('publish', key, directoryWith({ 'model.neff': 'first' }));
    host(s3Root, 'i-b')('publish', key, directoryWith({ 'model.neff': 'second' }));
    expect(fs.readFileSync(entry('model.neff'), 'utf8')).toBe('first');
    const other = 'weights/huggingface/org/model';
    expect(a('publish', other, directoryWith({})).stderr).toContain('is empty: nothing to stage');
    expect(fs.existsSync(path.join(s3Root, 'cache', other))).toBe(false);
  });
});

describe('the artifact cache in the stack', () => {
  let template: Template;
  let script: string;
  beforeAll(() => {
    const { stack, network, model } = fleetScaffold();
    new TrainiumPrefillFleet(stack, 'Prefill', { network, model });
    template = Template.fromStack(stack);
    script = userDataText(launchTemplateData(template));
  });

  test('an encrypted, TLS-only, versioned bucket with its access logs in a log bucket and a lifecycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^PrefillArtifactCacheAccessLogs') }, LogFilePrefix: 'cache/' },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LifecycleConfiguration: { Rules: Match.arrayWith([
        Match.objectLike({ Id: 'ExpireUploadLocks', Status: 'Enabled', ExpirationInDays: 1, TagFilters: [{ Key: 'artifact-cache-lock', Value: 'true' }] }),
        Match.objectLike({ Id: 'ExpireReplacedVersions', NoncurrentVersionExpiration: { NoncurrentDays: 7 } }),
        Match.objectLike({ Id: 'AbortIncompleteUploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]) },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^PrefillArtifactCacheBucket') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the instances cache the compiled artifacts under vLLM\'s cache root and the weights they download', () => {
    const env = /cat > \/etc\/vllm\/vllm.env <<'ENV'\n([\s\S]*?)\nENV/.exec(script)![1].split('\n');
    expect(env).toEqual(expect.arrayContaining([
      'VLLM_CACHE_ROOT=/opt/vllm-cache',
      'NEURON_COMPILED_ARTIFACTS=/opt/vllm-cache/neuron-compiled-artifacts',
      'MODEL_WEIGHTS_KEY=weights/huggingface/meta-llama/Llama-3.3-70B-Instruct',
      'MODEL_WEIGHTS_DIR=/opt/models/huggingface/meta-llama/Llama-3.3-70B-Instruct',
    ]));
    expect(env.find((l) => l.startsWith('ARTIFACT_CACHE_BUCKET='))).toMatch(/\$\{\{"Ref":"PrefillArtifactCacheBucket/);
    // The compiled entry is per configuration (a digest of type and serve arguments) and per image.
    expect(script).toMatch(/echo "COMPILED_ARTIFACTS_KEY=compiled\/[0-9a-f]{16}\/\$IMAGE_ID" >> \/etc\/vllm\/vllm.env/);
  });

  test('each start loads what is staged, downloads the weights only when none are, then serves the directory', () => {
    const serve = /cat > \/opt\/vllm\/serve.sh <<'SERVE'\n([\s\S]*?)\nSERVE/.exec(script)![1].split('\n');
    const at = (prefix: string) => serve.findIndex((l) => l.startsWith(prefix));
    expect(serve).toContain('/opt/vllm/artifact-cache.sh fetch "$COMPILED_ARTIFACTS_KEY" "$VLLM_CACHE_ROOT" || true');
    expect(serve).toContain('WEIGHTS_STAGED=1; /opt/vllm/artifact-cache.sh fetch "$MODEL_WEIGHTS_KEY" "$MODEL_WEIGHTS_DIR" || WEIGHTS_STAGED=0');
    expect(at('HF_TOKEN=')).toBeLessThan(at('WEIGHTS_STAGED=1'));
    expect(at('WEIGHTS_STAGED=1')).toBeLessThan(at('source "$VLLM_VENV/bin/activate"'));
    expect(at('if [ "$WEIGHTS_STAGED" = 0 ]; then')).toBeGreaterThan(at('source "$VLLM_VENV/bin/activate"'));
    expect(serve[at('if [ "$WEIGHTS_STAGED" = 0 ]; then') + 1]).toContain(
      "snapshot_download(repo_id='meta-llama/Llama-3.3-70B-Instruct', local_dir='/opt/models/huggingface/meta-llama/Llama-3.3-70B-Instruct'",
    );
    expect(serve[serve.length - 1]).toMatch(/^exec vllm serve '\/opt\/models\/huggingface\/meta-llama\/Llama-3.3-70B-Instruct' '--served-model-name' 'meta-llama\/Llama-3.3-70B-Instruct'/);
  });

  test('a host publishes once vLLM is ready, through its own service', () => {
    expect(script).toContain('ExecStart=/opt/vllm/artifact-cache.sh publish-when-ready');
    expect(ARTIFACT_CACHE_SCRIPT).toContain('until curl -sf -o /dev/null "http://127.0.0.1:$VLLM_PORT/health"; do sleep 30; done');
    expect(script).toContain('systemctl enable --now vllm-artifact-cache.service');
  });

  test('the role reads and writes its two entries and nothing else of the bucket', () => {
    const onCache = instanceRoleStatements(template).filter((st) => /PrefillArtifactCache/.test(JSON.stringify(st.Resource)));
    const prefixes = onCache.filter((st) => st.Action === 's3:ListBucket').map((st) => st.Condition.StringLike['s3:prefix']);
    expect(prefixes).toEqual([
      [expect.stringMatching(/^compiled\/[0-9a-f]{16}$/), expect.stringMatching(/^compiled\/[0-9a-f]{16}\/\*$/)],
      ['weights/huggingface/meta-llama/Llama-3.3-70B-Instruct', 'weights/huggingface/meta-llama/Llama-3.3-70B-Instruct/*'],
    ]);
    const objects = onCache.find((st) => Array.isArray(st.Action) && st.Action.includes('s3:PutObject'))!;
    expect(objects.Action).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject', 's3:PutObjectTagging']);
    expect(JSON.stringify(objects.Resource)).toMatch(/\/compiled\/[0-9a-f]{16}\/\*".*\/weights\/huggingface\/meta-llama\/Llama-3.3-70B-Instruct\/\*"/);
    expect(onCache.find((st) => JSON.stringify(st.Action).includes('kms'))!.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(onCache).toHaveLength(4);
  });
});

describe('bringing your own bucket, and sharing the cache', () => {
  test('ModelArtifactCache.fromBucket: entries under the key prefix, no bucket created', () => {
    const { stack, network, model } = fleetScaffold();
    const bucket = s3.Bucket.fromBucketName(stack, 'Mine', 'my-artifacts');
    const artifactCache = ModelArtifactCache.fromBucket(stack, 'Cache', bucket, { keyPrefix: '/inference/' });
    expect(artifactCache.keyPrefix).toBe('inference/');
    new TrainiumPrefillFleet(stack, 'Prefill', { network, model, artifactCache });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const script = userDataText(launchTemplateData(template));
    expect(script).toContain('ARTIFACT_CACHE_BUCKET=my-artifacts');
    expect(script).toContain('MODEL_WEIGHTS_KEY=inference/weights/huggingface/meta-llama/Llama-3.3-70B-Instruct');
    expect(script).toMatch(/COMPILED_ARTIFACTS_KEY=inference\/compiled\/[0-9a-f]{16}\/\$IMAGE_ID/);
    const list = instanceRoleStatements(template).filter((st) => st.Action === 's3:ListBucket');
    expect(list.map((st) => st.Condition.StringLike['s3:prefix'][0])).toEqual([
      expect.stringMatching(/^inference\/compiled\//), 'inference/weights/huggingface/meta-llama/Llama-3.3-70B-Instruct',
    ]);
  });

  test('DisaggregatedInference gives both fleets one cache: one weights entry, a compiled entry each', () => {
    const stack = testStack();
    const inference = new DisaggregatedInference(stack, 'Inference', { invocation: InvocationApi.none() });
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' }, LoggingConfiguration: Match.anyValue() }, 1);
    const decode = inference.decodeEndpoint as unknown as TrainiumPrefillFleet;
    expect(decode.artifactCache).toBe(inference.prefillFleet!.artifactCache);
    const scripts = Object.values(template.findResources('AWS::EC2::LaunchTemplate')).map((lt: any) => userDataText(lt.Properties.LaunchTemplateData));
    const compiled = scripts.map((s) => /COMPILED_ARTIFACTS_KEY=(compiled\/[0-9a-f]{16})/.exec(s)![1]);
    expect(new Set(compiled).size).toBe(2);
    for (const s of scripts) expect(s).toContain('MODEL_WEIGHTS_KEY=weights/huggingface/meta-llama/Llama-3.3-70B-Instruct');
  });
});

describe('the cache bucket\'s access logs', () => {
  test('arrive through a bucket policy for the S3 logging service, also in an app without the bucket-policy feature flag', () => {
    // A fresh `cdk init` app's flags are not this repository's; with the ACL path CDK would take
    // there, a bucket that enforces bucket-owner ownership cannot be a log target and synth fails.
    const { App, Stack } = jest.requireActual<typeof import('aws-cdk-lib')>('aws-cdk-lib');
    const stack = new Stack(new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': false } }), 'NoFlags');
    const cache = new ModelArtifactCache(stack, 'Cache');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: stack.resolve(cache.accessLogBucket.bucketName), LogFilePrefix: 'cache/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(cache.accessLogBucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Effect: 'Allow' }),
        ]),
      },
    });
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) expect(bucket.Properties.AccessControl).toBeUndefined();
  });
});
