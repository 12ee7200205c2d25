import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { limitGrantsToAwsServices } from '../encryption';

/**
 * Where the fleets keep the model weights they download and the Neuron artifacts they compile,
 * so that a host after the first loads them from S3 instead of downloading ~140 GB and compiling
 * for tens of minutes. Entries are key prefixes under `keyPrefix`: `weights/<model>/` and
 * `compiled/<configuration>/<image>/`; the protocol is in `artifact-cache-script.ts`.
 */
export interface IModelArtifactCache extends IConstruct {
  /** The bucket the entries live in. */
  readonly bucket: s3.IBucket;
  /** Prefix of every key of the cache: empty, or ending with `/`. */
  readonly keyPrefix: string;
  /**
   * Lets `grantee` stage and load the entry at `entry` (relative to `keyPrefix`, no trailing
   * slash): list it, read, write and tag its objects, abort its multipart uploads, and use the
   * bucket's key for that; nothing outside it.
   */
  grantEntryReadWrite(grantee: iam.IGrantable, entry: string): iam.Grant;
}

/** Properties of a {@link ModelArtifactCache}. */
export interface ModelArtifactCacheProps {
  /**
   * Customer-managed key for the cache bucket.
   * @default - a new key (rotated yearly)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long the server access logs of the cache bucket are kept.
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
}

/** Options of {@link ModelArtifactCache.fromBucket}. */
export interface ModelArtifactCacheBucketOptions {
  /**
   * Prefix of every key of the cache in the bucket.
   * @default '' - the bucket's root
   */
  readonly keyPrefix?: string;
}

/** Tag the protocol puts on an entry's `_UPLOADING` lock; the cache bucket expires tagged objects. */
export const ARTIFACT_CACHE_LOCK_TAG = { key: 'artifact-cache-lock', value: 'true' };

/** The grants both the created and the imported cache give. */
abstract class ModelArtifactCacheBase extends Construct implements IModelArtifactCache {
  public abstract readonly bucket: s3.IBucket;
  public abstract readonly keyPrefix: string;

  public grantEntryReadWrite(grantee: iam.IGrantable, entry: string): iam.Grant {
    const key = `${this.keyPrefix}${entry}`;
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [key, `${key}/*`] } },
    }).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
      resourceArns: [this.bucket.arnForObjects(`${key}/*`)],
    }));
    // SSE-KMS: uploads need a data key, downloads (and multipart uploads) decryption.
    const encryption = this.bucket.encryptionKey?.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
    return encryption ? grant.combine(encryption) : grant;
  }
}

/**
 * An encrypted S3 bucket for the fleets' {@link IModelArtifactCache}: SSE-KMS with a bucket key,
 * TLS only, public access blocked, ACLs off, versioned (noncurrent versions expire after a week),
 * upload locks expire after a day, incomplete multipart uploads are aborted after a day, EventBridge
 * notifications on (a staged entry is an event), server access logs to a log bucket of its own.
 * Both buckets are kept when the stack is deleted. Bring your own with {@link ModelArtifactCache.fromBucket}.
 */
export class ModelArtifactCache extends ModelArtifactCacheBase {
  /**
   * A cache in an existing bucket (under `keyPrefix`). For upload locks that a crashed host left
   * behind to expire, give the bucket a lifecycle rule that expires objects tagged
   * `artifact-cache-lock=true` after a day; without one, delete such a lock by hand.
   */
  public static fromBucket(scope: Construct, id: string, bucket: s3.IBucket, options: ModelArtifactCacheBucketOptions = {}): IModelArtifactCache {
    const keyPrefix = normalizePrefix(options.keyPrefix);
    class Imported extends ModelArtifactCacheBase {
      public readonly bucket = bucket;
      public readonly keyPrefix = keyPrefix;
    }
    return new Imported(scope, id);
  }

  public readonly bucket: s3.IBucket;
  public readonly keyPrefix = '';
  /** Receives the cache bucket's server access logs. */
  public readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ModelArtifactCacheProps = {}) {
    super(scope, id);
    let encryptionKey = props.encryptionKey;
    if (!encryptionKey) {
      const created = new kms.Key(this, 'Key', {
        description: `${this.node.path}: model weights and compiled Neuron artifacts`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      limitGrantsToAwsServices(created);
      encryptionKey = created;
    }
    this.accessLogBucket = this.createAccessLogBucket(props.accessLogRetention ?? Duration.days(365));
    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey,
      bucketKeyEnabled: true,
      ...PRIVATE_BUCKET,
      lifecycleRules: [
        { id: 'ExpireUploadLocks', tagFilters: { [ARTIFACT_CACHE_LOCK_TAG.key]: ARTIFACT_CACHE_LOCK_TAG.value }, expiration: Duration.days(1) },
        { id: 'ExpireReplacedVersions', noncurrentVersionExpiration: Duration.days(7), expiredObjectDeleteMarker: true },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    enableEventBridge(bucket);
    deliverAccessLogs(bucket, this.accessLogBucket, 'cache/');
    this.bucket = bucket;
    this.acknowledgeFindings();
  }

  /**
   * The target of the cache bucket's server access logs. SSE-S3, because S3 server access logging
   * delivers to no bucket with SSE-KMS default encryption or with S3 Object Lock (S3 User Guide,
   * enable-server-access-logging).
   */
  private createAccessLogBucket(retention: Duration): s3.Bucket {
    return new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      ...PRIVATE_BUCKET,
      lifecycleRules: [
        { id: 'ExpireLogs', expiration: retention, noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }

  /** Findings of cdk-nag and Control Tower's proactive controls that are deliberate here, with the reasons. */
  private acknowledgeFindings(): void {
    const guard = 'cdk-validator-cfnguard::';
    Validations.of(this.bucket).acknowledge({
      id: `${guard}s3_bucket_object_lock_enabled_check`,
      reason: 'CT.S3.PR.9: a cache is overwritten and expired by design (entries per image and configuration, upload locks that expire); write-once retention would keep stale entries and dead locks.',
    });
    Validations.of(this.accessLogBucket).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason: 'This bucket receives the cache bucket\'s server access logs; logging it into itself would log every log delivery, which the S3 User Guide advises against.',
      },
      {
        id: `${guard}s3_bucket_logging_enabled_check`,
        reason: 'CT.S3.PR.2: this bucket is the server access log target; logging it into itself would log every log delivery, which the S3 User Guide advises against.',
      },
      {
        id: `${guard}s3_bucket_default_encryption_kms_check`,
        reason: 'CT.S3.PR.10: S3 server access logging delivers only to a bucket with SSE-S3 default encryption; SSE-KMS is not supported (S3 User Guide, enable-server-access-logging). The logs are encrypted with SSE-S3.',
      },
      {
        id: `${guard}s3_bucket_object_lock_enabled_check`,
        reason: 'CT.S3.PR.9: S3 server access logging delivers to no bucket with S3 Object Lock (S3 User Guide); the logs expire by lifecycle instead.',
      },
      {
        id: `${guard}s3_event_notifications_enabled_check`,
        reason: 'CT.S3.PR.4: nothing acts on the arrival of an access-log object; CloudTrail and the logs themselves record the access.',
      },
    );
  }
}

/** S3 → EventBridge notifications as the bucket's own property (the L2 would add a custom-resource Lambda). */
function enableEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
}

function normalizePrefix(prefix?: string): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}

/** What both buckets share: TLS only, no public access, owner-owned objects, versions, kept when the stack goes. */
const PRIVATE_BUCKET: s3.BucketProps = {
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
};

/**
 * Server access logs of `source` into `target` under `prefix`, delivered by the S3 logging service
 * principal through a bucket policy, the way AWS recommends over the log-delivery ACL (S3 User Guide,
 * enable-server-access-logging). Written out rather than left to `serverAccessLogsBucket`, which picks
 * the ACL instead unless the app sets `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`; an ACL cannot
 * be set on a bucket that enforces bucket-owner object ownership, so the synth would fail in such apps.
 */
function deliverAccessLogs(source: s3.Bucket, target: s3.Bucket, prefix: string): void {
  (source.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: target.bucketName, logFilePrefix: prefix };
  target.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [target.arnForObjects(`${prefix}*`)],
    conditions: { ArnLike: { 'aws:SourceArn': source.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(source).account } },
  }));
}
