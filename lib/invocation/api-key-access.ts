import type { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

/** Settings of bearer API keys (`ApiKeyAccess.bearer`). */
export interface BearerApiKeyOptions {
  /**
   * A table of your own holding the keys: partition key `keyId` (string), items as the `api-key`
   * script writes them (the key's SHA-256, never the key). The authorizer may read it (and decrypt
   * it, when the table says which key encrypts it).
   *
   * @default - a new table, encrypted with a new customer-managed key, with point-in-time recovery
   */
  readonly table?: dynamodb.ITable;
  /**
   * How long API Gateway keeps the authorizer's answer for a key. A revoked key keeps working for
   * at most this long; `Duration.seconds(0)` checks the table on every request.
   *
   * @default Duration.minutes(1)
   */
  readonly cacheTtl?: Duration;
}

/**
 * Whether the API takes Amazon Bedrock-style API keys (`Authorization: Bearer <key>`, which the
 * Bedrock SDKs send when `AWS_BEARER_TOKEN_BEDROCK` is set) beside IAM. API Gateway allows one
 * authorization type per method, so bearer callers use the same operations under `/key`
 * (`<api url>/key/model/{modelId}/converse`), authorized by a Lambda authorizer that checks the
 * key's hash in a DynamoDB table; the IAM methods are unchanged.
 */
export class ApiKeyAccess {
  /** IAM (SigV4) only. */
  public static none(): ApiKeyAccess {
    return new ApiKeyAccess(undefined);
  }

  /** IAM, and bearer API keys under `/key`, checked against hashed keys in a table. */
  public static bearer(options: BearerApiKeyOptions = {}): ApiKeyAccess {
    return new ApiKeyAccess(options);
  }

  private constructor(
    /** The bearer keys' settings; absent for `ApiKeyAccess.none()`. */
    public readonly bearerOptions?: BearerApiKeyOptions,
  ) {}
}
