import { API_KEY_PATH_PREFIX, type ApiKeyRecord, bearerKey, checkApiKey } from './api-key';

/** API Gateway's event for a TOKEN authorizer (the fields read). */
export interface TokenAuthorizerEvent {
  readonly type: 'TOKEN';
  /** The identity source's value: the `Authorization` header. */
  readonly authorizationToken?: string;
  /** `arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<method>/<resource path>`. */
  readonly methodArn: string;
}

/** What a Lambda authorizer answers: who, and an IAM policy over `execute-api:Invoke`. */
export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: Array<{ readonly Action: 'execute-api:Invoke'; readonly Effect: 'Allow' | 'Deny'; readonly Resource: string }>;
  };
  /** Passed to the integration and usable in access logs as `$context.authorizer.<name>`. */
  readonly context?: Record<string, string>;
}

/**
 * The bearer-key authorizer: a valid, unrevoked key is allowed every bearer-key method of the
 * stage (API Gateway caches the answer per key and applies it to any method, so it must not name
 * just the method that was called); anything else is denied, which API Gateway answers with 403
 * `AccessDeniedException`. A request without a well-formed header never gets here: the
 * authorizer's validation expression answers it with 401.
 */
export function apiKeyAuthorizer(lookUp: (keyId: string) => Promise<ApiKeyRecord | undefined>, log: (line: string) => void = console.log) {
  return async (event: TokenAuthorizerEvent): Promise<AuthorizerResult> => {
    const resource = bearerMethodsArn(event.methodArn);
    const key = bearerKey(event.authorizationToken);
    const check = key ? await checkApiKey(key, lookUp) : ({ valid: false, reason: 'malformed' } as const);
    if (check.valid) {
      return {
        principalId: check.record.keyId,
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }] },
        context: { keyId: check.record.keyId, keyName: check.record.name },
      };
    }
    // The id is public (part of the key); the key itself is never logged.
    log(JSON.stringify({ message: 'API key refused', reason: check.reason, keyId: check.keyId }));
    return {
      principalId: check.keyId ?? 'anonymous',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: resource }] },
    };
  };
}

/** Every bearer-key method of the stage `methodArn` belongs to: `<api>/<stage>/POST/key/*`. */
export function bearerMethodsArn(methodArn: string): string {
  const [api, stage] = methodArn.split('/');
  if (!api?.startsWith('arn:') || !stage) throw new Error(`Not an execute-api method ARN: '${methodArn}'.`);
  return `${api}/${stage}/POST/${API_KEY_PATH_PREFIX}/*`;
}
