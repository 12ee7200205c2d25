import { MockCluster, MockTiming, startMockCluster } from '../../lib/mock';

/**
 * The environment can redirect or re-authenticate every AWS client (a bearer token makes the SDK
 * send `Authorization: Bearer` even with credentials given; an endpoint variable points clients
 * elsewhere: /work/research/issue8-clients.md, section 2): the tests run without them.
 */
export function withoutAwsOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'AWS_BEARER_TOKEN_BEDROCK' && !name.startsWith('AWS_ENDPOINT_URL')));
}

/** The file's tests run without the AWS overrides; the environment is restored after them. */
export function useCleanAwsEnvironment(): void {
  let saved: NodeJS.ProcessEnv;
  beforeAll(() => {
    saved = process.env;
    process.env = withoutAwsOverrides(process.env);
  });
  afterAll(() => {
    process.env = saved;
  });
}

/**
 * One mock cluster for the file's tests, as a test of your own would start it: a chat model and a
 * reasoning model, on a free port, with no simulated stage times. `endpoint()` is its address.
 */
export function useInteropMock(): { endpoint: () => string } {
  useCleanAwsEnvironment();
  let cluster: MockCluster | undefined;
  beforeAll(async () => {
    cluster = await startMockCluster({
      models: ['llama-3.3-70b-instruct', 'gpt-oss-120b'],
      timing: MockTiming.NONE,
      gateway: { telemetry: () => undefined },
    });
  });
  afterAll(() => cluster?.close());
  return {
    endpoint: () => {
      if (!cluster) throw new Error('the mock is not running');
      return cluster.endpoint;
    },
  };
}
