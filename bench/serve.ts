/**
 * One side of the benchmark in its own process, so the gateway, the workers and the load
 * generator do not share an event loop (as they would not deployed). Started by bench/load.ts
 * with an IPC channel, on which it reports when ready:
 *   serve.ts workers <answer tokens>  -> reports the registry JSON, then serves
 *   serve.ts gateway <json>  -> reports the gateway URL, then serves, logging each request to stdout
 */
import { MockTiming, startMockWorkers } from '../lib/mock';
import { BedrockGateway } from '../lib/runtime/bedrock/gateway';
import { startNodeServer } from '../lib/runtime/server/node-server';

async function main(): Promise<void> {
  const [role, argument] = process.argv.slice(2);
  let close: () => Promise<void>;
  let ready: string;
  if (role === 'workers' && argument) {
    const workers = await startMockWorkers({ timing: MockTiming.NONE, prefillWorkers: 2, answerTokens: Number(argument) });
    ready = JSON.stringify(workers.registry);
    close = workers.close;
  } else if (role === 'gateway' && argument) {
    // The default telemetry sink: the per-request log line is part of the work measured.
    const gateway = new BedrockGateway({ registry: JSON.parse(argument), maxConcurrentRequests: 1024 });
    const server = await startNodeServer((request) => gateway.handle(request), { maxBodyBytes: gateway.maxBodyBytes });
    ready = server.url;
    close = server.close;
  } else {
    throw new Error('usage: serve.ts workers <answer tokens> | serve.ts gateway <registry json>');
  }
  if (!process.send) throw new Error('serve.ts reports readiness over IPC; start it from bench/load.ts');
  process.send(ready, () => process.disconnect());
  process.on('SIGTERM', () => void close().then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
