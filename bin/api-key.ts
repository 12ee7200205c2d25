#!/usr/bin/env node
/**
 * `npm run api-key -- create|revoke|list`: makes, revokes and lists the bearer API keys of a
 * deployed API (`-c apiKeys=true`, or `apiKeys: ApiKeyAccess.bearer()`), in the key table the stack
 * names in its `ApiKeyTableName` output. The table holds each key's SHA-256, never the key: `create`
 * prints the key once. Credentials and region come from the AWS SDK's usual chain (profile,
 * environment, SSO); the caller needs dynamodb:PutItem, UpdateItem and Scan on the table and the
 * table key's kms:Encrypt/Decrypt/GenerateDataKey.
 */
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type ApiKeyRecord, type DynamoItem, fromItem, generateApiKey, toItem } from '../lib/runtime/auth/api-key';

const USAGE = `Usage:
  npm run api-key -- create --table <ApiKeyTableName> --name <who or what the key is for>
  npm run api-key -- revoke --table <ApiKeyTableName> --id <key id>
  npm run api-key -- list   --table <ApiKeyTableName>
Options: --region <region> (default: the AWS SDK's, e.g. AWS_REGION or the profile's); the table may
also come from API_KEY_TABLE.`;

/** What the commands need from the outside: DynamoDB, where to write, the clock. */
export interface ApiKeyCommandContext {
  /** Sends a DynamoDB command (a `DynamoDBClient`'s `send`). */
  readonly send: (command: PutItemCommand | UpdateItemCommand | ScanCommand) => Promise<{ Items?: DynamoItem[] } | object>;
  /** Output: the key (create) or the table (list), one line each. */
  readonly out: (line: string) => void;
  /** Notes for the person running it. */
  readonly err: (line: string) => void;
  readonly now?: () => Date;
}

/** Reads `--name value` pairs after the command. */
function options(args: string[]): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    const value = args[i + 1];
    if (!flag.startsWith('--') || value === undefined || value.startsWith('--')) throw new UsageError(`Option ${flag} needs a value.`);
    parsed[flag.slice(2)] = value;
  }
  return parsed;
}

class UsageError extends Error {}

/** Runs one command (`create`, `revoke`, `list`) with its options; throws UsageError on bad arguments. */
export async function runApiKeyCommand(argv: string[], context: ApiKeyCommandContext, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [command, ...rest] = argv;
  const opts = options(rest);
  const table = opts.table ?? env.API_KEY_TABLE;
  if (!table) throw new UsageError('No key table: pass --table <the stack output ApiKeyTableName>, or set API_KEY_TABLE.');
  switch (command) {
    case 'create': {
      if (!opts.name) throw new UsageError('create needs --name, a label saying who or what the key is for.');
      const { key, record } = generateApiKey(opts.name, (context.now ?? (() => new Date()))());
      await context.send(new PutItemCommand({ TableName: table, Item: toItem(record), ConditionExpression: 'attribute_not_exists(keyId)' }));
      context.err(`Created key ${record.keyId} (${record.name}). It is shown once; the table keeps only its SHA-256:`);
      context.out(key);
      return;
    }
    case 'revoke': {
      if (!opts.id) throw new UsageError('revoke needs --id, the key id that `list` shows (the 16 hex digits after dik_).');
      try {
        await context.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { keyId: { S: opts.id } },
            UpdateExpression: 'SET revokedAt = :at',
            ConditionExpression: 'attribute_exists(keyId)',
            ExpressionAttributeValues: { ':at': { S: (context.now ?? (() => new Date()))().toISOString() } },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new UsageError(`No key ${opts.id} in ${table}.`);
        throw error;
      }
      context.err(`Revoked key ${opts.id}; the API refuses it once the authorizer's cached answer expires (a minute by default).`);
      return;
    }
    case 'list': {
      const records: ApiKeyRecord[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = (await context.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start as never }))) as {
          Items?: DynamoItem[];
          LastEvaluatedKey?: Record<string, unknown>;
        };
        records.push(...(page.Items ?? []).map(fromItem));
        start = page.LastEvaluatedKey;
      } while (start);
      for (const r of records.sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
        context.out([r.keyId, r.revokedAt ? `revoked ${r.revokedAt}` : 'active', r.createdAt, r.name].join('\t'));
      }
      return;
    }
    default:
      throw new UsageError(command ? `Unknown command '${command}'.` : 'No command given.');
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const region = (() => {
    const i = argv.indexOf('--region');
    return i >= 0 ? argv.splice(i, 2)[1] : undefined;
  })();
  const client = new DynamoDBClient(region ? { region } : {});
  runApiKeyCommand(argv, {
    send: (command) => client.send(command as never),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).catch((error: Error) => {
    process.stderr.write(`${error.message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ''}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
}
