import { ConditionalCheckFailedException, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { runApiKeyCommand } from '../../bin/api-key';
import { type DynamoItem, fromItem } from '../../lib/runtime/auth/api-key';
import { apiKeyAuthorizer } from '../../lib/runtime/auth/token-authorizer';

/**
 * A key table in memory that answers the three commands the CLI sends the way DynamoDB does
 * (conditions included), and that the authorizer reads: what the CLI writes is what it checks.
 */
function memoryDynamo() {
  const items = new Map<string, DynamoItem>();
  const sent: Array<PutItemCommand | UpdateItemCommand | ScanCommand> = [];
  const send = async (command: PutItemCommand | UpdateItemCommand | ScanCommand) => {
    sent.push(command);
    if (command instanceof PutItemCommand) {
      const keyId = command.input.Item!.keyId.S!;
      if (items.has(keyId)) throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
      items.set(keyId, command.input.Item as DynamoItem);
      return {};
    }
    if (command instanceof UpdateItemCommand) {
      const keyId = command.input.Key!.keyId.S!;
      const item = items.get(keyId);
      if (!item) throw new ConditionalCheckFailedException({ message: 'absent', $metadata: {} });
      expect(command.input.UpdateExpression).toBe('SET revokedAt = :at');
      items.set(keyId, { ...item, revokedAt: command.input.ExpressionAttributeValues![':at'] as { S: string } });
      return {};
    }
    // One item per page, so `list` must follow LastEvaluatedKey.
    const all = [...items.keys()].sort();
    const from = command.input.ExclusiveStartKey ? all.indexOf(command.input.ExclusiveStartKey.keyId.S!) + 1 : 0;
    const page = all.slice(from, from + 1);
    return { Items: page.map((k) => items.get(k)!), LastEvaluatedKey: from + 1 < all.length ? { keyId: { S: page[0] } } : undefined };
  };
  const lookUp = async (keyId: string) => (items.has(keyId) ? fromItem(items.get(keyId)!) : undefined);
  return { items, sent, send, lookUp };
}

async function run(dynamo: ReturnType<typeof memoryDynamo>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  await runApiKeyCommand(argv, { send: dynamo.send, out: (l) => out.push(l), err: (l) => err.push(l), now: () => new Date('2026-09-01T10:00:00Z') }, {});
  return { out, err };
}

const METHOD_ARN = 'arn:aws:execute-api:us-east-2:111122223333:abc123/v1/POST/key/model/m/converse';
const effect = async (dynamo: ReturnType<typeof memoryDynamo>, key: string) =>
  (await apiKeyAuthorizer(dynamo.lookUp, () => undefined)({ type: 'TOKEN', authorizationToken: `Bearer ${key}`, methodArn: METHOD_ARN })).policyDocument
    .Statement[0].Effect;

describe('npm run api-key', () => {
  test('create prints a key once and stores only its hash; the authorizer accepts it until revoke', async () => {
    const dynamo = memoryDynamo();
    const { out, err } = await run(dynamo, 'create', '--table', 'Keys', '--name', 'alice laptop');
    expect(out).toHaveLength(1);
    const key = out[0];
    const keyId = key.slice(4, 20);
    expect(err.join('\n')).toContain(`Created key ${keyId} (alice laptop)`);
    expect(JSON.stringify([...dynamo.items.values()])).not.toContain(key.slice(21));
    expect((dynamo.sent[0] as PutItemCommand).input).toMatchObject({ TableName: 'Keys', ConditionExpression: 'attribute_not_exists(keyId)' });
    expect(await effect(dynamo, key)).toBe('Allow');

    await run(dynamo, 'revoke', '--table', 'Keys', '--id', keyId);
    expect(await effect(dynamo, key)).toBe('Deny');
  });

  test('list shows every key, across pages, by age, with its state and never the key', async () => {
    const dynamo = memoryDynamo();
    const first = (await run(dynamo, 'create', '--table', 'Keys', '--name', 'one')).out[0];
    const second = (await run(dynamo, 'create', '--table', 'Keys', '--name', 'two')).out[0];
    await run(dynamo, 'revoke', '--table', 'Keys', '--id', first.slice(4, 20));
    const { out } = await run(dynamo, 'list', '--table', 'Keys');
    expect(out.sort()).toEqual(
      [
        `${first.slice(4, 20)}\trevoked 2026-09-01T10:00:00.000Z\t2026-09-01T10:00:00.000Z\tone`,
        `${second.slice(4, 20)}\tactive\t2026-09-01T10:00:00.000Z\ttwo`,
      ].sort(),
    );
    expect(dynamo.sent.filter((c) => c instanceof ScanCommand)).toHaveLength(2);
  });

  test('bad arguments are errors saying what to pass', async () => {
    const dynamo = memoryDynamo();
    await expect(run(dynamo, 'create', '--name', 'x')).rejects.toThrow('No key table: pass --table <the stack output ApiKeyTableName>, or set API_KEY_TABLE.');
    await expect(run(dynamo, 'create', '--table', 'Keys')).rejects.toThrow('create needs --name');
    await expect(run(dynamo, 'revoke', '--table', 'Keys', '--id', '0123456789abcdef')).rejects.toThrow('No key 0123456789abcdef in Keys.');
    await expect(run(dynamo, 'rotate', '--table', 'Keys')).rejects.toThrow("Unknown command 'rotate'.");
    await expect(run(dynamo, 'list', '--table')).rejects.toThrow('Option --table needs a value.');
  });
});
