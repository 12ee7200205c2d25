/**
 * `npm run bench:heap -- http2|http1.1 [N]`: the heap the process keeps (after a forced GC) across
 * two rounds of N Converse requests (default 5,000) through the official client, over HTTP/2 (its
 * default handler) or HTTP/1.1 (NodeHttpHandler), against the mock in this process, at concurrency 32.
 * A server that keeps something per request shows it as growth between the rounds; one that does
 * not stays within noise (well under 1 MB). Not a test: it prints figures.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { MockTiming, startMockCluster } from '../lib/mock';
import { runConcurrently } from './concurrently';
import { heapAfterGc } from './soak/heap';

const CONCURRENCY = 32;
const WARMUP = 1000;
const MB = 1024 * 1024;

async function main(): Promise<void> {
  const [transport = 'http2', perRound = '5000'] = process.argv.slice(2);
  const requests = Number(perRound);
  if (!['http2', 'http1.1'].includes(transport) || !Number.isInteger(requests) || requests < 1) {
    console.error('usage: npm run bench:heap -- http2|http1.1 [requests per round]');
    process.exit(2);
  }
  const cluster = await startMockCluster({ timing: MockTiming.NONE, gateway: { telemetry: () => undefined } });
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: cluster.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    ...(transport === 'http1.1' ? { requestHandler: new NodeHttpHandler() } : {}),
  });
  let failed = 0;
  const converse = () =>
    client
      .send(new ConverseCommand({ modelId: 'us.meta.llama3-3-70b-instruct-v1:0', messages: [{ role: 'user', content: [{ text: 'hello' }] }], inferenceConfig: { maxTokens: 4 } }))
      .catch(() => failed++);
  const round = (count: number) => runConcurrently(count, CONCURRENCY, converse);
  try {
    // The warm-up takes the JIT's code and the pools' first allocations out of the figure.
    await round(WARMUP);
    const warm = heapAfterGc();
    await round(requests);
    const first = heapAfterGc();
    await round(requests);
    const second = heapAfterGc();
    const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`;
    console.log(`${transport}: ${requests} Converse per round, concurrency ${CONCURRENCY}, ${failed} failed`);
    console.log(`heap after GC: warm-up ${mb(warm)}, after round 1 ${mb(first)}, after round 2 ${mb(second)}`);
    console.log(`growth round 1 -> round 2: ${mb(second - first)} (${((second - first) / requests).toFixed(1)} B per request)`);
  } finally {
    client.destroy();
    await cluster.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
