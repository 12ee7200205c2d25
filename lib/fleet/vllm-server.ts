import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ARTIFACT_CACHE_SCRIPT, ARTIFACT_CACHE_SCRIPT_PATH } from './artifact-cache-script';
import { FleetTelemetry, VLLM_LOG_FILE } from './fleet-telemetry';
import { findModelSpec, type ModelSpec } from '../hardware';
import { ModelSourceConfig } from './model-source';
import { EFA_LIBRARY_PATH, prerequisiteBootCommands } from './neuron-prerequisites';

/** The side of vLLM's disaggregated KV hand-off a fleet plays. */
export class KvTransferRole {
  /** Prefill: computes the prompt's KV blocks and lends them to the decode side. */
  public static readonly PRODUCER = new KvTransferRole('kv_producer');
  /** Decode: pulls the KV blocks from the prefill worker and generates tokens. */
  public static readonly CONSUMER = new KvTransferRole('kv_consumer');

  private constructor(
    /** vLLM's `kv_role` value. */
    public readonly vllmRole: string,
  ) {}
}

/** Port of NIXL's side channel, where the decode side asks a prefill worker for its KV block metadata. */
export const NIXL_SIDE_CHANNEL_PORT = 5600;

/** Where vLLM keeps its caches; vllm-neuron's compile cache is `$VLLM_CACHE_ROOT/neuron/compile_cache/<hash>/`. */
export const VLLM_CACHE_ROOT = '/opt/vllm-cache';

/** The fleet's artifact cache, as the boot and start scripts use it. */
export interface VllmArtifactCacheOptions {
  /** The cache bucket's name. */
  readonly bucketName: string;
  /**
   * Key of the compiled-artifact entry without its last segment: the boot appends the instance's
   * image id, since the artifacts hold only for the Neuron SDK they were compiled with.
   */
  readonly compiledEntryKey: string;
  /** Key of the weights' entry, when the model source's weights are cached. */
  readonly weightsEntryKey?: string;
}

/** What `vllm serve` is started with. */
export interface VllmServeOptions {
  readonly model: ModelSourceConfig;
  readonly servedModelName: string;
  readonly tensorParallelDegree: number;
  readonly maxModelLength: number;
  readonly port: number;
  readonly kvRole: KvTransferRole;
  /** Extra `vllm serve` arguments, appended as given. */
  readonly extraArgs: string[];
}

/** Everything the boot script needs to start the server. */
export interface VllmServerOptions extends VllmServeOptions {
  /** `KEY=seconds` lines of vLLM's time limits (compilation, model execution, engine start). */
  readonly timeLimitEnvironment: string[];
  /** Where weights and compiled artifacts are staged for later hosts. */
  readonly artifactCache: VllmArtifactCacheOptions;
  /** Boot lines that configure and start the CloudWatch agent. */
  readonly agentBootCommands: string[];
}

/** vLLM's `--kv-transfer-config`: the NIXL connector over libfabric, which rides on EFA. */
export function kvTransferConfig(kvRole: KvTransferRole): string {
  return JSON.stringify({
    kv_connector: 'NixlConnector',
    kv_role: kvRole.vllmRole,
    kv_connector_extra_config: { backends: ['LIBFABRIC'] },
  });
}

/**
 * The flags a catalog model needs to serve the tools protocol and its reasoning: automatic tool
 * choice with the model's tool-call parser (`tool_choice: auto` requires both), its reasoning
 * parser if it reasons, and the prompt's cached tokens in the usage (cacheReadInputTokens).
 * None for a model outside the catalog, nor when the extra arguments choose a parser themselves.
 */
export function modelServeArgs(model: ModelSpec | undefined, extraArgs: readonly string[]): string[] {
  if (!model || extraArgs.includes('--tool-call-parser')) return [];
  return [
    '--enable-auto-tool-choice',
    '--tool-call-parser', model.vllm.toolCallParser,
    ...(model.vllm.reasoningParser ? ['--reasoning-parser', model.vllm.reasoningParser] : []),
    '--enable-prompt-tokens-details',
  ];
}

/** The `vllm serve` arguments (what the compiled artifacts depend on, besides the image). */
export function vllmServeArguments(options: VllmServeOptions): string[] {
  return [
    options.model.vllmModelArgument,
    '--served-model-name', options.servedModelName,
    '--tensor-parallel-size', String(options.tensorParallelDegree),
    '--max-model-len', String(options.maxModelLength),
    '--host', '0.0.0.0',
    '--port', String(options.port),
    '--kv-transfer-config', kvTransferConfig(options.kvRole),
    ...modelServeArgs(findModelSpec(options.model.vllmModelArgument) ?? findModelSpec(options.servedModelName), options.extraArgs),
    ...options.extraArgs,
  ];
}

/** Quotes one shell word with single quotes. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The service's environment for the artifact cache: vLLM's cache root (vllm-neuron's compile
 * cache lives under it) and `NEURON_COMPILED_ARTIFACTS` inside it, so that the one directory the
 * cache stages holds every compiled artifact (aws-neuron-sdk `vllm-neuron/docs/design/compilation/compilation_cache.md`;
 * `guides/reference-configuration.md`). `NEURON_COMPILE_CACHE_URL` belongs to torch-neuronx's XLA
 * flow, not to vllm-neuron, and is not used.
 */
function artifactCacheEnvironment(options: VllmServerOptions): string[] {
  const weights = options.model.cachedWeights;
  return [
    `VLLM_CACHE_ROOT=${VLLM_CACHE_ROOT}`,
    `NEURON_COMPILED_ARTIFACTS=${VLLM_CACHE_ROOT}/neuron-compiled-artifacts`,
    `ARTIFACT_CACHE_BUCKET=${options.artifactCache.bucketName}`,
    `VLLM_PORT=${options.port}`,
    ...(weights && options.artifactCache.weightsEntryKey
      ? [`MODEL_WEIGHTS_KEY=${options.artifactCache.weightsEntryKey}`, `MODEL_WEIGHTS_DIR=${weights.localDirectory}`]
      : []),
  ];
}

/**
 * Start-script lines (before the venv is activated, so the system AWS CLI runs): load the compiled
 * artifacts and the weights from the cache where a host staged them; download the weights otherwise
 * (after activation, in the venv's Python).
 */
function artifactCacheStartCommands(options: VllmServerOptions): { beforeActivate: string[]; afterActivate: string[] } {
  const weights = options.model.cachedWeights;
  const beforeActivate = [`${ARTIFACT_CACHE_SCRIPT_PATH} fetch "$COMPILED_ARTIFACTS_KEY" "$VLLM_CACHE_ROOT" || true`];
  if (!weights || !options.artifactCache.weightsEntryKey) return { beforeActivate, afterActivate: [] };
  return {
    beforeActivate: [...beforeActivate, `WEIGHTS_STAGED=1; ${ARTIFACT_CACHE_SCRIPT_PATH} fetch "$MODEL_WEIGHTS_KEY" "$MODEL_WEIGHTS_DIR" || WEIGHTS_STAGED=0`],
    afterActivate: [`if [ "$WEIGHTS_STAGED" = 0 ]; then`, ...weights.downloadCommands.map((line) => `  ${line}`), 'fi'],
  };
}

/**
 * Publishes to the cache once vLLM is ready (`/health`: served only once the engine is up, i.e.
 * the model loaded and the KV connector initialised); a host that finds an entry staged uploads nothing.
 */
const ARTIFACT_CACHE_UNIT = `[Unit]
Description=Stage this host's compiled Neuron artifacts (and downloaded weights) for later hosts, once vLLM is ready
After=vllm.service

[Service]
Type=simple
EnvironmentFile=/etc/vllm/vllm.env
ExecStart=${ARTIFACT_CACHE_SCRIPT_PATH} publish-when-ready
StandardOutput=append:${VLLM_LOG_FILE}
StandardError=append:${VLLM_LOG_FILE}

[Install]
WantedBy=multi-user.target`;

/** Rotates the service logs the agent tails (it follows a truncated file). */
const LOGROTATE_CONFIG = `/var/log/vllm/*.log /var/log/neuron-monitor/*.log {
  daily
  rotate 7
  compress
  missingok
  notifempty
  copytruncate
}`;

/**
 * User data that fetches the model and runs vLLM's OpenAI-compatible server with the Neuron plugin
 * as a systemd service (restarted on failure), configured for the EFA fabric and the KV role, after
 * checking the NIXL/LIBFABRIC prerequisites; with the artifact cache, neuron-monitor and the
 * CloudWatch agent.
 */
export function vllmUserData(options: VllmServerOptions): ec2.UserData {
  const serveArgs = vllmServeArguments(options);
  const cacheStart = artifactCacheStartCommands(options);
  const environment = [
    // libfabric over EFA with device RDMA: what NIXL's LIBFABRIC backend uses for the KV pull.
    'FI_PROVIDER=efa',
    'FI_EFA_USE_DEVICE_RDMA=1',
    // EFA's libfabric for NIXL's LIBFABRIC plugin (vllm-neuron setup guide); the libcuda stub is in /usr/local/lib.
    `LD_LIBRARY_PATH=${EFA_LIBRARY_PATH}`,
    `VLLM_NIXL_SIDE_CHANNEL_PORT=${NIXL_SIDE_CHANNEL_PORT}`,
    ...options.timeLimitEnvironment,
    ...artifactCacheEnvironment(options),
    // For the AWS CLI calls of the model's start commands.
    `AWS_REGION=${Aws.REGION}`,
    `AWS_DEFAULT_REGION=${Aws.REGION}`,
    ...options.model.environment,
  ];
  const imds = (path: string) => `curl -sf -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/${path}`;
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
    `export AWS_REGION=${Aws.REGION} AWS_DEFAULT_REGION=${Aws.REGION}`,
    `install -d -m 755 /opt/vllm /opt/models ${VLLM_CACHE_ROOT} /var/log/vllm`,
    'install -d -m 700 /etc/vllm',
    // The Neuron DLAMI ships the vLLM environment under a versioned name; take the newest.
    // `|| true`: under pipefail a failed ls would end the script here, before the message below.
    'VLLM_VENV=$(ls -d /opt/aws_neuronx_venv_*vllm* 2>/dev/null | sort -V | tail -n1 || true)',
    '[ -n "$VLLM_VENV" ] || { echo "no vLLM virtual environment under /opt: use a Neuron DLAMI with vLLM" >&2; exit 1; }',
    // The side channel must advertise the primary address the decode side can reach (IMDSv2).
    'IMDS_TOKEN=$(curl -sfX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    `LOCAL_IP=$(${imds('local-ipv4')})`,
    `INSTANCE_ID=$(${imds('instance-id')})`,
    `IMAGE_ID=$(${imds('ami-id')})`,
    ...options.agentBootCommands,
    ...prerequisiteBootCommands(),
    `cat > ${ARTIFACT_CACHE_SCRIPT_PATH} <<'CACHE'\n${ARTIFACT_CACHE_SCRIPT}CACHE`,
    `chmod 755 ${ARTIFACT_CACHE_SCRIPT_PATH}`,
    ...options.model.fetchCommands,
    `cat > /etc/vllm/vllm.env <<'ENV'\n${environment.join('\n')}\nENV`,
    'echo "VLLM_NIXL_SIDE_CHANNEL_HOST=$LOCAL_IP" >> /etc/vllm/vllm.env',
    'echo "VLLM_VENV=$VLLM_VENV" >> /etc/vllm/vllm.env',
    'echo "INSTANCE_ID=$INSTANCE_ID" >> /etc/vllm/vllm.env',
    `echo "COMPILED_ARTIFACTS_KEY=${options.artifactCache.compiledEntryKey}/$IMAGE_ID" >> /etc/vllm/vllm.env`,
    // The model's start commands run before the venv is activated, so they use the system AWS CLI.
    `cat > /opt/vllm/serve.sh <<'SERVE'\n${[
      '#!/bin/bash',
      'set -eo pipefail',
      ...options.model.startCommands,
      ...cacheStart.beforeActivate,
      'source "$VLLM_VENV/bin/activate"',
      ...cacheStart.afterActivate,
      `exec vllm serve ${serveArgs.map(shellQuote).join(' ')}`,
    ].join('\n')}\nSERVE`,
    'chmod 755 /opt/vllm/serve.sh',
    `cat > /etc/systemd/system/vllm.service <<'UNIT'
[Unit]
Description=vLLM OpenAI-compatible server on Neuron (${options.kvRole.vllmRole})
After=network-online.target
Wants=network-online.target

[Service]
EnvironmentFile=/etc/vllm/vllm.env
WorkingDirectory=/opt/vllm
ExecStart=/opt/vllm/serve.sh
Restart=on-failure
RestartSec=30
# EFA registers (locks) large memory regions for RDMA.
LimitMEMLOCK=infinity
# To a file the CloudWatch agent ships (its journald input is too new to rely on).
StandardOutput=append:${VLLM_LOG_FILE}
StandardError=append:${VLLM_LOG_FILE}

[Install]
WantedBy=multi-user.target
UNIT`,
    `cat > /etc/systemd/system/vllm-artifact-cache.service <<'UNIT'\n${ARTIFACT_CACHE_UNIT}\nUNIT`,
    `cat > /etc/systemd/system/neuron-monitor.service <<'UNIT'\n${FleetTelemetry.neuronMonitorUnit()}\nUNIT`,
    `cat > /etc/logrotate.d/vllm <<'ROTATE'\n${LOGROTATE_CONFIG}\nROTATE`,
    'systemctl daemon-reload',
    'systemctl enable --now neuron-monitor.service',
    'systemctl enable --now vllm.service',
    'systemctl enable --now vllm-artifact-cache.service',
  );
  return userData;
}
