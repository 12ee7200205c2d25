import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { findModelSpec, type ModelSpec } from '../hardware';
import { ModelSourceConfig } from './model-source';

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

/** Everything the boot script needs to start the server. */
export interface VllmServerOptions {
  readonly model: ModelSourceConfig;
  readonly servedModelName: string;
  readonly tensorParallelDegree: number;
  readonly maxModelLength: number;
  readonly port: number;
  readonly kvRole: KvTransferRole;
  /** Extra `vllm serve` arguments, appended as given. */
  readonly extraArgs: string[];
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

/** Quotes one shell word with single quotes. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * User data that fetches the model and runs vLLM's OpenAI-compatible server with the Neuron plugin
 * as a systemd service (restarted on failure), configured for the EFA fabric and the KV role.
 */
export function vllmUserData(options: VllmServerOptions): ec2.UserData {
  const serveArgs = [
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
  const environment = [
    // libfabric over EFA with device RDMA: what NIXL's LIBFABRIC backend uses for the KV pull.
    'FI_PROVIDER=efa',
    'FI_EFA_USE_DEVICE_RDMA=1',
    `VLLM_NIXL_SIDE_CHANNEL_PORT=${NIXL_SIDE_CHANNEL_PORT}`,
    // For the AWS CLI calls of the model's start commands.
    `AWS_REGION=${Aws.REGION}`,
    `AWS_DEFAULT_REGION=${Aws.REGION}`,
    ...options.model.environment,
  ];
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
    `export AWS_REGION=${Aws.REGION} AWS_DEFAULT_REGION=${Aws.REGION}`,
    'install -d -m 755 /opt/vllm /opt/models',
    'install -d -m 700 /etc/vllm',
    // The Neuron DLAMI ships the vLLM environment under a versioned name; take the newest.
    // `|| true`: under pipefail a failed ls would end the script here, before the message below.
    'VLLM_VENV=$(ls -d /opt/aws_neuronx_venv_*vllm* 2>/dev/null | sort -V | tail -n1 || true)',
    '[ -n "$VLLM_VENV" ] || { echo "no vLLM virtual environment under /opt: use a Neuron DLAMI with vLLM" >&2; exit 1; }',
    // The side channel must advertise the primary address the decode side can reach (IMDSv2).
    'IMDS_TOKEN=$(curl -sfX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    'LOCAL_IP=$(curl -sf -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/local-ipv4)',
    ...options.model.fetchCommands,
    `cat > /etc/vllm/vllm.env <<'ENV'\n${environment.join('\n')}\nENV`,
    'echo "VLLM_NIXL_SIDE_CHANNEL_HOST=$LOCAL_IP" >> /etc/vllm/vllm.env',
    'echo "VLLM_VENV=$VLLM_VENV" >> /etc/vllm/vllm.env',
    // The model's start commands run before the venv is activated, so they use the system AWS CLI.
    `cat > /opt/vllm/serve.sh <<'SERVE'\n${[
      '#!/bin/bash',
      'set -eo pipefail',
      ...options.model.startCommands,
      'source "$VLLM_VENV/bin/activate"',
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
ExecStart=/opt/vllm/serve.sh
Restart=on-failure
RestartSec=30
# EFA registers (locks) large memory regions for RDMA.
LimitMEMLOCK=infinity

[Install]
WantedBy=multi-user.target
UNIT`,
    'systemctl daemon-reload',
    'systemctl enable --now vllm.service',
  );
  return userData;
}
