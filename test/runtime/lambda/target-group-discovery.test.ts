import { AwsApiError } from '../../../lib/runtime/lambda/aws-query';
import { targetGroupDiscovery } from '../../../lib/runtime/lambda/target-group-discovery';
import type { WorkerDiscoveryConfig } from '../../../lib/runtime/routing/registry-config';
import { FakeAwsApis, startFakeAwsApis } from './fake-aws-apis';

const ARN = 'arn:aws:elasticloadbalancing:us-east-2:111111111111:targetgroup/Prefill/0123456789abcdef';
const PREFILL: WorkerDiscoveryConfig = { targetGroupArn: ARN, port: 8000 };
const signal = () => AbortSignal.timeout(10_000);

let aws: FakeAwsApis;
const saved = { ...process.env };
beforeAll(async () => {
  // What the Lambda runtime puts in the environment: the signer reads them per call.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  process.env.AWS_SESSION_TOKEN = 'session';
  aws = await startFakeAwsApis(8000);
});
afterAll(async () => {
  process.env = saved;
  await aws.close();
});
beforeEach(() => {
  aws.calls.length = 0;
  aws.refuseWith = undefined;
  aws.targetGroups.clear();
  aws.instances.clear();
});

const discover = () => targetGroupDiscovery({ endpoints: { elasticloadbalancing: aws.url, ec2: aws.url } });

test('the healthy targets of the group, at their primary private address and the server port', async () => {
  aws.targetGroups.set(ARN, [
    { id: 'i-0aaaaaaaaaaaaaaa1', state: 'healthy' },
    { id: 'i-0aaaaaaaaaaaaaaa2', state: 'initial' },
    { id: 'i-0aaaaaaaaaaaaaaa3', state: 'healthy' },
    { id: 'i-0aaaaaaaaaaaaaaa4', state: 'draining' },
    { id: 'i-0aaaaaaaaaaaaaaa5', state: 'unhealthy' },
  ]);
  for (const [n, ip] of [[1, '10.0.0.11'], [2, '10.0.0.12'], [3, '10.0.0.13'], [4, '10.0.0.14'], [5, '10.0.0.15']] as const) {
    aws.instances.set(`i-0aaaaaaaaaaaaaaa${n}`, { id: `i-0aaaaaaaaaaaaaaa${n}`, privateIp: ip });
  }
  expect(await discover()(PREFILL, signal())).toEqual(['http://10.0.0.11:8000', 'http://10.0.0.13:8000']);
  // Each call signed for its own service in the group's region; only the healthy ids looked up.
  expect(aws.calls.map((c) => [c.action, c.signedFor, c.region])).toEqual([
    ['DescribeTargetHealth', 'elasticloadbalancing', 'us-east-2'],
    ['DescribeInstances', 'ec2', 'us-east-2'],
  ]);
  expect(aws.calls[0].params.get('TargetGroupArn')).toBe(ARN);
  expect(aws.calls[1].params.getAll('Filter.1.Value.1').concat(aws.calls[1].params.getAll('Filter.1.Value.2'))).toEqual([
    'i-0aaaaaaaaaaaaaaa1',
    'i-0aaaaaaaaaaaaaaa3',
  ]);
});

test('an instance is looked up once; a new one joins, one that drops out leaves', async () => {
  const find = discover();
  const a = { id: 'i-0aaaaaaaaaaaaaaaa', privateIp: '10.0.0.21' };
  const b = { id: 'i-0bbbbbbbbbbbbbbbb', privateIp: '10.0.0.22' };
  aws.instances.set(a.id, a);
  aws.instances.set(b.id, b);
  aws.targetGroups.set(ARN, [{ id: a.id, state: 'healthy' }]);
  expect(await find(PREFILL, signal())).toEqual(['http://10.0.0.21:8000']);
  expect(await find(PREFILL, signal())).toEqual(['http://10.0.0.21:8000']);
  expect(aws.calls.filter((c) => c.action === 'DescribeInstances')).toHaveLength(1);

  aws.targetGroups.set(ARN, [{ id: a.id, state: 'healthy' }, { id: b.id, state: 'healthy' }]);
  expect(await find(PREFILL, signal())).toEqual(['http://10.0.0.21:8000', 'http://10.0.0.22:8000']);
  const lookups = aws.calls.filter((c) => c.action === 'DescribeInstances');
  expect(lookups).toHaveLength(2);
  expect(lookups[1].params.get('Filter.1.Value.1')).toBe(b.id);
  expect(lookups[1].params.has('Filter.1.Value.2')).toBe(false);

  // Scale-in: the group drains a host, then deregisters it.
  aws.targetGroups.set(ARN, [{ id: a.id, state: 'draining' }, { id: b.id, state: 'healthy' }]);
  expect(await find(PREFILL, signal())).toEqual(['http://10.0.0.22:8000']);
  aws.targetGroups.set(ARN, [{ id: b.id, state: 'healthy' }]);
  expect(await find(PREFILL, signal())).toEqual(['http://10.0.0.22:8000']);
});

test('no healthy target is an empty list, and no instance lookup', async () => {
  aws.targetGroups.set(ARN, [{ id: 'i-0aaaaaaaaaaaaaaa1', state: 'unhealthy' }]);
  expect(await discover()(PREFILL, signal())).toEqual([]);
  expect(aws.calls.map((c) => c.action)).toEqual(['DescribeTargetHealth']);
});

test('a target group of type ip names the addresses itself', async () => {
  aws.targetGroups.set(ARN, [{ id: '10.0.3.7', state: 'healthy' }]);
  expect(await discover()(PREFILL, signal())).toEqual(['http://10.0.3.7:8000']);
  expect(aws.calls.map((c) => c.action)).toEqual(['DescribeTargetHealth']);
});

test('a refusal throws the service error code, from either API', async () => {
  aws.targetGroups.set(ARN, [{ id: 'i-0aaaaaaaaaaaaaaa1', state: 'healthy' }]);
  aws.refuseWith = { code: 'Throttling', message: 'Rate exceeded', status: 400 };
  await expect(discover()(PREFILL, signal())).rejects.toEqual(new AwsApiError('Throttling', 'Rate exceeded', 400));

  aws.refuseWith = undefined;
  await expect(discover()({ targetGroupArn: ARN.replace('Prefill', 'Gone'), port: 8000 }, signal())).rejects.toMatchObject({
    code: 'TargetGroupNotFound',
  });
});

test('an EC2 refusal is read from its own error shape', async () => {
  aws.targetGroups.set(ARN, [{ id: 'i-0aaaaaaaaaaaaaaa1', state: 'healthy' }]);
  const failing = targetGroupDiscovery({
    endpoints: { elasticloadbalancing: aws.url, ec2: aws.url },
    // Only the EC2 call is refused: ELBv2 answers as usual.
    fetch: async (input, init) => {
      const body = String(init?.body ?? '');
      if (body.includes('Action=DescribeInstances')) aws.refuseWith = { code: 'RequestLimitExceeded', message: 'Request limit exceeded.', status: 503 };
      try {
        return await fetch(input, init);
      } finally {
        aws.refuseWith = undefined;
      }
    },
  });
  await expect(failing(PREFILL, signal())).rejects.toMatchObject({ code: 'RequestLimitExceeded', status: 503 });
});

test('an unsigned call is refused by the fake, as by AWS: the test would notice a signer that signs nothing', async () => {
  const response = await fetch(`${aws.url}/`, { method: 'POST', body: 'Action=DescribeTargetHealth&Version=2015-12-01' });
  expect(response.status).toBe(403);
  expect(await response.text()).toContain('<Code>IncompleteSignature</Code>');
});
