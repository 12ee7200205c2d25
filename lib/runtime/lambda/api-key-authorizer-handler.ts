/**
 * Lambda entry point of the bearer API key authorizer (an API Gateway TOKEN authorizer): checks
 * `Authorization: Bearer <key>` against the key table named in the environment.
 */
import { keyTableReader } from '../auth/key-table';
import { apiKeyAuthorizer } from '../auth/token-authorizer';
import { API_KEY_TABLE_ENV_VAR, requiredEnv } from './environment';

export const handler = apiKeyAuthorizer(keyTableReader(requiredEnv(API_KEY_TABLE_ENV_VAR), { region: requiredEnv('AWS_REGION') }));
