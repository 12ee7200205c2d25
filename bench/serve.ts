/**
 * One side of the benchmark in its own process, so the gateway, the workers and the load
 * generator do not share an event loop (as they would not deployed).
 *   tsx bench/serve.ts workers <answer tokens>  -> prints the registry JSON, then serves
 *   tsx bench/serve.ts gateway <json>  -> prints the gateway URL, then serves
 */
import { MockTiming, startMockWorkers } from '../lib/mock';
import { BedrockGateway } from '../lib/runtime/gateway';
import { startNodeServer } from '../lib/runtime/node-server';

async function main(): Promise<void> {
  const [role, argument] = process.argv.slice(2);
  let close: () => Promise<void>;
  if (role === 'workers' && argument) {
    const workers = await startMockWorkers({ timing: MockTiming.NONE, prefillWorkers: 2, naturalAnswerTokens: Number(argument) });
    process.stdout.write(JSON.stringify(workers.registry) + '\n');
    close = workers.close;
  } else if (role === 'gateway' && argument) {
    const gateway = new BedrockGateway({ registry: JSON.parse(argument), maxConcurrentRequests: 1024, telemetry: () => undefined });
    const server = await startNodeServer((request) => gateway.handle(request));
    process.stdout.write(server.url + '\n');
    close = server.close;
  } else {
    throw new Error('usage: serve.ts workers <answer tokens> | serve.ts gateway <registry json>');
  }
  process.on('SIGTERM', () => void close().then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
