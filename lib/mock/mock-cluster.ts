import { clientModelIds, getModelSpec, ModelSpec } from '../hardware';
import { ModelRouteConfig, RegistryConfig, StageTimeoutsConfig } from '../runtime/routing/registry-config';
import { BedrockGateway, BedrockGatewayOptions } from '../runtime/bedrock/gateway';
import { RunningServer, startNodeServer } from '../runtime/server/node-server';
import { createDecodeWorker, DecodeWorker } from './decode-worker';
import { KV_SCALE_DOWN } from './kv-blob';
import { KvLeaseStore } from './kv-lease';
import { KvTransferServer, socketKvSource, startSocketKvServer } from './kv-transport';
import { createPrefillWorker, DEFAULT_KV_LEASE_MS, PrefillWorker } from './prefill-worker';
import { MockTiming } from './mock-timing';

/** Faults to inject, for testing how clients handle them. */
export interface MockFaults {
  /** This many prefill workers (the first ones) crash on every request. @default 0 */
  readonly crashedPrefillWorkers?: number;
  /** KV lease on the prefill workers, in ms; 0 expires every lease before the decode pulls it. @default 30000 */
  readonly kvLeaseMs?: number;
  /** Extra time every prefill answer takes, in ms (slow workers). @default 0 */
  readonly prefillDelayMs?: number;
  /** Extra time before the decode's first token, in ms (a slow decode). @default 0 */
  readonly decodeDelayMs?: number;
  /** The decode stream breaks after this many output tokens. @default never */
  readonly decodeBreakAfterTokens?: number;
}

export interface MockClusterOptions {
  /** Catalog models to serve (name, Hugging Face id or Bedrock id). @default ['llama-3.3-70b-instruct'] */
  readonly models?: string[];
  /** The gateway's port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Prefill workers per model. @default 2 */
  readonly prefillWorkers?: number;
  /** @default MockTiming.NONE */
  readonly timing?: MockTiming;
  /** Prefill instance type for realistic timing. @default 'trn2.48xlarge' */
  readonly prefillInstanceType?: string;
  /** The decode worker cannot ingest KV; the router replays the prompt to it. @default false */
  readonly promptReplay?: boolean;
  /** @default no faults */
  readonly faults?: MockFaults;
  /** Per-stage limits for every model. @default the router's defaults */
  readonly timeouts?: StageTimeoutsConfig;
  /** Answer length of the mock decode in tokens, when max tokens allow. @default 12-60, from the prompt */
  readonly naturalAnswerTokens?: number;
  /** Gateway limits and telemetry sink. @default the gateway's defaults */
  readonly gateway?: Omit<BedrockGatewayOptions, 'registry'>;
}

/** The region of the foundation-model ARNs the local mock answers to (it runs in none). */
const MOCK_REGION = 'us-east-1';

export interface MockPrefillInstance {
  readonly url: string;
  readonly worker: PrefillWorker;
}

export interface MockModel {
  readonly spec: ModelSpec;
  readonly route: ModelRouteConfig;
  readonly prefill: MockPrefillInstance[];
  readonly decode: { readonly url: string; readonly worker: DecodeWorker };
}

export interface MockCluster {
  /** The Bedrock-compatible endpoint, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every model id the gateway answers to. */
  readonly modelIds: string[];
  readonly gateway: BedrockGateway;
  readonly registry: RegistryConfig;
  readonly models: MockModel[];
  /** Stops the gateway first (letting requests finish), then the workers. */
  close(): Promise<void>;
}

export interface MockWorkers {
  readonly registry: RegistryConfig;
  readonly models: MockModel[];
  close(): Promise<void>;
}

/**
 * The workers alone: per model, N prefill workers (each with its KV socket server) and one
 * decode worker, plus the registry a gateway needs to route to them.
 */
export async function startMockWorkers(options: Omit<MockClusterOptions, 'port' | 'gateway'> = {}): Promise<MockWorkers> {
  const servers: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    for (const server of servers.reverse()) await server.close();
  };
  try {
    const models: MockModel[] = [];
    for (const name of options.models ?? ['llama-3.3-70b-instruct']) {
      models.push(await startModel(getModelSpec(name), options, servers));
    }
    return { registry: { models: models.map((m) => m.route) }, models, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The whole pipeline on localhost over real sockets: the mock workers behind one Bedrock-compatible gateway. */
export async function startMockCluster(options: MockClusterOptions = {}): Promise<MockCluster> {
  const workers = await startMockWorkers(options);
  try {
    const gateway = new BedrockGateway({ ...options.gateway, registry: workers.registry });
    const server: RunningServer = await startNodeServer((request) => gateway.handle(request), {
      port: options.port ?? 0,
      maxBodyBytes: gateway.maxBodyBytes,
    });
    return {
      endpoint: server.url,
      modelIds: gateway.modelIds,
      gateway,
      registry: workers.registry,
      models: workers.models,
      // The gateway stops first so requests in progress can still reach the workers.
      close: async () => {
        await server.close();
        await workers.close();
      },
    };
  } catch (error) {
    await workers.close();
    throw error;
  }
}

async function startModel(spec: ModelSpec, options: MockClusterOptions, servers: Array<{ close(): Promise<void> }>): Promise<MockModel> {
  const faults = options.faults ?? {};
  const timing = (options.timing ?? MockTiming.NONE).timingFor(spec, options.prefillInstanceType);
  const count = options.prefillWorkers ?? 2;
  if (!Number.isInteger(count) || count < 1) throw new Error(`prefillWorkers must be a positive integer; got ${count}.`);

  const prefill: MockPrefillInstance[] = [];
  for (let i = 0; i < count; i++) {
    const leases = new KvLeaseStore(faults.kvLeaseMs ?? DEFAULT_KV_LEASE_MS);
    servers.push({ close: async () => leases.clear() });
    let kvServer: KvTransferServer | undefined;
    if (!options.promptReplay) {
      kvServer = await startSocketKvServer(leases, { transferDelayMs: (bytes) => timing.kvTransferMs(bytesToTokens(bytes, spec)) });
      servers.push(kvServer);
    }
    const worker = createPrefillWorker({
      model: spec,
      leases,
      kvEndpoint: kvServer,
      timing,
      faults: { crash: i < (faults.crashedPrefillWorkers ?? 0), delayMs: faults.prefillDelayMs },
    });
    const server = await startNodeServer(worker.handle);
    servers.push(server);
    prefill.push({ url: server.url, worker });
  }

  const decodeWorker = createDecodeWorker({
    model: spec,
    kvSource: options.promptReplay ? undefined : socketKvSource,
    timing,
    faults: { delayMs: faults.decodeDelayMs, breakAfterTokens: faults.decodeBreakAfterTokens },
    naturalAnswerTokens: options.naturalAnswerTokens,
  });
  const decodeServer = await startNodeServer(decodeWorker.handle);
  servers.push(decodeServer);

  const route: ModelRouteConfig = {
    modelIds: clientModelIds(spec, MOCK_REGION, 'aws'),
    prefillUrls: prefill.map((p) => p.url),
    prefillModel: spec.huggingFaceId,
    decode: { url: decodeServer.url, model: spec.huggingFaceId, canIngestKv: !options.promptReplay },
    contextWindow: spec.contextWindow,
    maxOutputTokens: spec.maxOutputTokens,
    timeouts: options.timeouts,
  };
  return { spec, route, prefill, decode: { url: decodeServer.url, worker: decodeWorker } };
}

/** The KV transfer time is for the full-size cache: undo the blob's scale-down to get tokens back. */
function bytesToTokens(blobBytes: number, spec: ModelSpec): number {
  return Math.round((blobBytes * KV_SCALE_DOWN) / spec.kvBytesPerToken);
}
