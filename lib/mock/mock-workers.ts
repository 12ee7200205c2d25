import { clientModelIds, DEFAULT_PREFILL_INSTANCE_TYPE, getModelSpec, ModelSpec } from '../hardware';
import { DecodeTier, kvCapacity, timingOf } from '../planning/serving-config';
import { disaggregationThreshold } from '../planning/timing/disaggregation-threshold';
import { ModelRouteConfig, RegistryConfig, StageTimeoutsConfig } from '../runtime/routing/registry-config';
import { startNodeServer } from '../runtime/server/node-server';
import { createDecodeWorker, DecodeWorker } from './decode-worker';
import { MockFaults } from './faults';
import { kvBlobTokens } from './kv-blob';
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
  /** Prefill instance type: realistic timing's and the prefix cache's size. @default 'trn2.48xlarge' */
  readonly prefillInstanceType?: string;
  /** Decode workers per model (the standard tier's); the router picks one per request. @default 1 */
  readonly decodeWorkers?: number;
  /**
   * The decode workers play a Trainium decode fleet of this instance type (its decode speed under
   * load, its KV room); without one they play a CS-3 at its published speed.
   * @default a CS-3
   */
  readonly decodeInstanceType?: string;
  /**
   * Conditional disaggregation: the most prompt tokens a decode worker may lack and still compute
   * them itself (see ModelRouteConfig.disaggregationThreshold), or `auto`, derived from the timing
   * rules of the prefill and decode hardware and the model (`disaggregationThreshold` in lib/planning;
   * 0 with a CS-3, about 1,500 tokens for Llama 3.3 70B on a trn2.48xlarge decode fleet).
   * @default 'auto'
   */
  readonly disaggregationThreshold?: number | 'auto';
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
  /** Where decode workers pull its KV (none in prompt replay): close it to make the worker gone for them. */
  readonly kvServer?: KvTransferServer;
}

export interface MockModel {
  readonly spec: ModelSpec;
  readonly route: ModelRouteConfig;
  readonly prefill: MockPrefillInstance[];
  /** The standard tier's first decode worker. */
  readonly decode: MockDecodeInstance;
  /** The standard tier's decode workers, `decode` first. */
  readonly decodeWorkers: MockDecodeInstance[];
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
 * The workers alone: per model, N prefill workers (each with its KV socket server) and M decode
 * workers, plus the registry a gateway needs to route to them.
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
  const prefillInstanceType = options.prefillInstanceType ?? DEFAULT_PREFILL_INSTANCE_TYPE;
  const decodeTier = options.decodeInstanceType ? DecodeTier.trainium(options.decodeInstanceType) : DecodeTier.cs3();
  const hardware = { model: spec, prefill: { instanceType: prefillInstanceType }, decode: decodeTier };
  const timing = (options.timing ?? MockTiming.NONE).timingFor(spec, prefillInstanceType, decodeTier);
  const capacity = kvCapacity(hardware);
  const count = options.prefillWorkers ?? 2;
  if (!Number.isInteger(count) || count < 1) throw new Error(`prefillWorkers must be a positive integer; got ${count}.`);
  const decodeCount = options.decodeWorkers ?? 1;
  if (!Number.isInteger(decodeCount) || decodeCount < 1) throw new Error(`decodeWorkers must be a positive integer; got ${decodeCount}.`);
  const threshold = options.disaggregationThreshold ?? 'auto';
  if (threshold !== 'auto' && !(Number.isInteger(threshold) && threshold >= 0)) {
    throw new Error(`disaggregationThreshold must be 'auto' or a whole number of tokens; got ${threshold}.`);
  }
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
      kvServer = await startSocketKvServer(leases, {
        transferDelayMs: (bytes) => timing.kvTransferMs(kvBlobTokens(bytes, spec.kvBytesPerToken)),
        breakTransfers: faults.kvTransferBreaks,
      });
      servers.push(kvServer);
    }
    const worker = createPrefillWorker({
      model: spec,
      leases,
      kvEndpoint: kvServer,
      timing,
      kvCacheTokens: capacity.prefillTokens,
      faults: { crash: i < (faults.crashedPrefillWorkers ?? 0), delayMs: faults.prefillDelayMs },
    });
    const server = await startNodeServer(worker.handle);
    servers.push(server);
    prefill.push({ url: server.url, worker, ...(kvServer ? { kvServer } : {}) });
  }

  const startDecode = async (): Promise<MockDecodeInstance> => {
    const worker = createDecodeWorker({
      model: spec,
      kvSource: options.promptReplay ? undefined : socketKvSource,
      timing,
      kvCacheTokens: capacity.decodeTokens,
      faults: { delayMs: faults.decodeDelayMs, breakAfterTokens: faults.decodeBreakAfterTokens, malformedToolCalls: faults.malformedToolCalls },
      naturalAnswerTokens: answerTokens,
    });
    const server = await startNodeServer(worker.handle);
    servers.push(server);
    return { url: server.url, worker };
  };
  const decodeWorkers: MockDecodeInstance[] = [];
  for (let i = 0; i < decodeCount; i++) decodeWorkers.push(await startDecode());
  const decode = decodeWorkers[0];
  const optimizedDecode = options.optimizedDecode ? await startDecode() : undefined;
  const decodeRoute = (instances: MockDecodeInstance[]) => ({
    url: instances[0].url,
    ...(instances.length > 1 ? { workerUrls: instances.map((d) => d.url) } : {}),
    model: spec.huggingFaceId,
    canIngestKv: !options.promptReplay,
  });

  const route: ModelRouteConfig = {
    modelIds: clientModelIds(spec, MOCK_REGION, 'aws'),
    prefillUrls: prefill.map((p) => p.url),
    prefillModel: spec.huggingFaceId,
    decode: decodeRoute(decodeWorkers),
    ...(optimizedDecode ? { optimizedDecode: decodeRoute([optimizedDecode]) } : {}),
    contextWindow: spec.contextWindow,
    maxOutputTokens: spec.maxOutputTokens,
    timeouts: options.timeouts,
    // Derived from the realistic timing rules whatever the mock's own timing: the threshold is the hardware's.
    disaggregationThreshold: threshold === 'auto' ? disaggregationThreshold(timingOf(hardware), spec.contextWindow) : threshold,
  };
  return { spec, route, prefill, decode, decodeWorkers, ...(optimizedDecode ? { optimizedDecode } : {}) };
}
