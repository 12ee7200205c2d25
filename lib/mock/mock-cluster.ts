import { BedrockGateway, BedrockGatewayOptions } from '../runtime/bedrock/gateway';
import { RegistryConfig } from '../runtime/routing/registry-config';
import { NodeServerOptions, RunningServer, startNodeServer } from '../runtime/server/node-server';
import { MockModel, MockWorkersOptions, startMockWorkers } from './mock-workers';

export interface MockClusterOptions extends MockWorkersOptions {
  /** The gateway's port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Gateway limits and telemetry sink. @default the gateway's defaults */
  readonly gateway?: Omit<BedrockGatewayOptions, 'registry'>;
  /** The gateway's HTTP server: body time limit, body bytes per connection, shutdown grace, idle limit. @default the server's defaults */
  readonly server?: Pick<NodeServerOptions, 'bodyTimeoutMs' | 'maxConnectionBodyBytes' | 'shutdownGraceMs' | 'idleTimeoutMs'>;
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

/** The whole pipeline on localhost over real sockets: the mock workers behind one Bedrock-compatible gateway. */
export async function startMockCluster(options: MockClusterOptions = {}): Promise<MockCluster> {
  const workers = await startMockWorkers(options);
  try {
    const gateway = new BedrockGateway({ ...options.gateway, registry: workers.registry });
    const server: RunningServer = await startNodeServer((request) => gateway.handle(request), {
      ...options.server,
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
