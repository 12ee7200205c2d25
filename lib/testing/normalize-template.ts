/**
 * Snapshot stability for stacks that contain assets (Lambda code, custom resources, files).
 *
 * An asset's hash changes whenever its content does, and it appears in S3 keys, asset parameter
 * names, `Fn::Sub` URLs, Lambda version logical ids and `aws:asset:*` metadata. A snapshot that
 * keeps those churns on every dependency bump. `normalizeTemplate` replaces them with fixed
 * placeholders, so a snapshot changes only when the infrastructure does:
 *
 * ```ts
 * expect(normalizeTemplate(Template.fromStack(stack).toJSON())).toMatchSnapshot();
 * ```
 */
export const ASSET_HASH_PLACEHOLDER = '[ASSET_HASH]';
export const ASSET_BUCKET_PLACEHOLDER = '[ASSET_BUCKET]';
export const ASSET_PATH_PLACEHOLDER = '[ASSET_PATH]';

/** A SHA-256 asset hash (the bootstrap synthesizer's object keys, legacy asset parameter names). */
const ASSET_HASH = /[0-9a-f]{64}/g;
/** The bootstrap asset bucket, with its qualifier, account and region (literal or `${AWS::...}`). */
const ASSET_BUCKET = /cdk-[a-z0-9]+-assets-(?:\$\{AWS::AccountId\}|\d{12})-(?:\$\{AWS::Region\}|[a-z]{2}(?:-[a-z]+)+-\d)/g;
/** `fn.currentVersion` logical ids end in an MD5 of the function's code and configuration. */
const LAMBDA_VERSION_HASH = /(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g;

function normalizeString(value: string): string {
  return value
    .replace(ASSET_BUCKET, ASSET_BUCKET_PLACEHOLDER)
    .replace(LAMBDA_VERSION_HASH, `$1${ASSET_HASH_PLACEHOLDER}`)
    .replace(ASSET_HASH, ASSET_HASH_PLACEHOLDER);
}

/** A deep copy of a CloudFormation template with asset-derived values replaced by placeholders. */
export function normalizeTemplate<T>(template: T): T {
  return normalize(template) as T;
}

function normalize(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    // `aws:asset:path` is the asset's staging directory (`asset.<hash>` or a bundling output).
    return key === 'aws:asset:path' ? ASSET_PATH_PLACEHOLDER : normalizeString(value);
  }
  if (Array.isArray(value)) return value.map((item) => normalize(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [normalizeString(k), normalize(v, k)]),
    );
  }
  return value;
}
