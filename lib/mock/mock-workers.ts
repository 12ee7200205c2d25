import { clientModelIds, getModelSpec, ModelSpec } from '../hardware';
import { ModelRouteConfig, RegistryConfig, StageTimeoutsConfig } from '../runtime/routing/registry-config';
import { startNodeServer } from '../runtime/server/node-server';
import { createDecodeWorker, DecodeWorker } from './decode-worker';
import { MockFaults } from './faults';
import { KV_SCALE_DOWN } from './kv-blob';
import { KvLeaseStore } from './kv-lease';
import { KvTransferServer, socketKvSource, startSocketKvServer } from './kv-transport';
import { MockTiming } from './mock-timing';
import { createPrefillWorker, DEFAULT_KV_LEASE_MS, PrefillWorker } from './prefill-worker';

export interface MockWorkersOptions {
  /** Catalog models to serve (name, Hugging Face id or Bedrock id). @default ['llama-3.3-70b-instruct'] */
  readonly models?: string[];
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
  /**
   * How many tokens the mock decode answers with when the request's max tokens allow (a long answer
   * shows a decode speed and exercises long streams). @default 12 to 60, from the prompt
   */
  readonly answerTokens?: number;
  /**
   * A second decode worker per model, routed as the model's optimized latency tier (what a CS-3
   * is next to a Trainium decode fleet), so `performanceConfig.latency: 'optimized'` and its
   * fallback can be tried. @default false
   */
  readonly optimizedDecode?: boolean;
}

export interface MockPrefillInstance {
  readonly url: string;
  readonly worker: PrefillWorker;
}

export interface MockModel {
  readonly spec: ModelSpec;
  readonly route: ModelRouteConfig;
  readonly prefill: MockPrefillInstance[];
  readonly decode: MockDecodeInstance;
  /** The optimized tier's decode worker, with `optimizedDecode`. */
  readonly optimizedDecode?: MockDecodeInstance;
}

export interface MockDecodeInstance {
  readonly url: string;
  readonly worker: DecodeWorker;
}

export interface MockWorkers {
  readonly registry: RegistryConfig;
  readonly models: MockModel[];
  close(): Promise<void>;
}

/** The region of the foundation-model ARNs the local mock answers to (it runs in none). */
const MOCK_REGION = 'us-east-1';

/**
 * The workers alone: per model, N prefill workers (each with its KV socket server) and one
 * decode worker, plus the registry a gateway needs to route to them.
 */
export async function startMockWorkers(options: MockWorkersOptions = {}): Promise<MockWorkers> {
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

async function startModel(spec: ModelSpec, options: MockWorkersOptions, servers: Array<{ close(): Promise<void> }>): Promise<MockModel> {
  const faults = options.faults ?? {};
  const timing = (options.timing ?? MockTiming.NONE).timingFor(spec, options.prefillInstanceType);
  const count = options.prefillWorkers ?? 2;
  if (!Number.isInteger(count) || count < 1) throw new Error(`prefillWorkers must be a positive integer; got ${count}.`);
  const answerTokens = options.answerTokens;
  if (answerTokens !== undefined && (!Number.isInteger(answerTokens) || answerTokens < 1)) {
    throw new Error(`answerTokens must be a positive integer; got ${answerTokens}.`);
  }

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

  const startDecode = async (): Promise<MockDecodeInstance> => {
    const worker = createDecodeWorker({
      model: spec,
      kvSource: options.promptReplay ? undefined : socketKvSource,
      timing,
      faults: { delayMs: faults.decodeDelayMs, breakAfterTokens: faults.decodeBreakAfterTokens, malformedToolCalls: faults.malformedToolCalls },
      naturalAnswerTokens: answerTokens,
    });
    const server = await startNodeServer(worker.handle);
    servers.push(server);
    return { url: server.url, worker };
  };
  const decode = await startDecode();
  const optimizedDecode = options.optimizedDecode ? await startDecode() : undefined;
  const decodeRoute = (instance: MockDecodeInstance) => ({ url: instance.url, model: spec.huggingFaceId, canIngestKv: !options.promptReplay });

  const route: ModelRouteConfig = {
    modelIds: clientModelIds(spec, MOCK_REGION, 'aws'),
    prefillUrls: prefill.map((p) => p.url),
    prefillModel: spec.huggingFaceId,
    decode: decodeRoute(decode),
    ...(optimizedDecode ? { optimizedDecode: decodeRoute(optimizedDecode) } : {}),
    contextWindow: spec.contextWindow,
    maxOutputTokens: spec.maxOutputTokens,
    timeouts: options.timeouts,
  };
  return { spec, route, prefill, decode, ...(optimizedDecode ? { optimizedDecode } : {}) };
}

/** The KV transfer time is for the full-size cache: undo the blob's scale-down to get tokens back. */
function bytesToTokens(blobBytes: number, spec: ModelSpec): number {
  return Math.round((blobBytes * KV_SCALE_DOWN) / spec.kvBytesPerToken);
}
