import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { createLogGroupKey } from '../encryption';
import { VLLM_LOAD_GAUGES } from '../runtime/openai/vllm-metrics';

/** Port of neuron-monitor's Prometheus exporter. Its default is 8000, vLLM's port, so it is always given. */
export const NEURON_MONITOR_PROMETHEUS_PORT = 8008;

/** Files the vLLM and neuron-monitor services write (systemd `StandardOutput=append:`), which the agent ships. */
export const VLLM_LOG_FILE = '/var/log/vllm/vllm.log';
const NEURON_MONITOR_LOG_FILE = '/var/log/neuron-monitor/neuron-monitor.log';

/** CloudWatch namespace of the metrics the agent extracts from vLLM's and neuron-monitor's Prometheus endpoints. */
export const FLEET_METRIC_NAMESPACE = 'DisaggregatedInference/Fleets';

const AGENT_DIR = '/opt/aws/amazon-cloudwatch-agent';
const AGENT_CONFIG = `${AGENT_DIR}/etc/disaggregated-inference.json`;
const PROMETHEUS_CONFIG = `${AGENT_DIR}/etc/prometheus.yaml`;

/** What {@link FleetTelemetry} configures. */
export interface FleetTelemetryProps {
  /** The fleet, as the `Fleet` dimension of its metrics (its construct path). */
  readonly fleetName: string;
  /** vLLM's port, whose `/metrics` the agent scrapes. */
  readonly serverPort: number;
  /** Retention of the fleet's log groups. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * The CloudWatch agent on a fleet's instances, configured in the launch template's user data (not
 * only allowed by the role's `CloudWatchAgentServerPolicy`): vLLM's log (which carries vllm-neuron's
 * and the Neuron runtime's messages), neuron-monitor's and the boot log go to `ServerLogs`; the
 * agent scrapes vLLM's `/metrics` and neuron-monitor's Prometheus exporter (port 8008) and turns
 * selected series into metrics in `DisaggregatedInference/Fleets` through embedded metric format
 * events in `MetricLogs` (CloudWatch User Guide, CloudWatch-Agent-PrometheusEC2). Both log groups
 * are kept `logRetention` and encrypted with the fleet's `LogKey`.
 */
export class FleetTelemetry extends Construct {
  /** vLLM, neuron-monitor and boot logs, one stream each per instance (`<instance id>/vllm`, ...). */
  public readonly serverLogs: logs.LogGroup;
  /** The agent's embedded-metric events from the Prometheus scrapes. */
  public readonly metricLogs: logs.LogGroup;
  /** User data lines that install (when the image has none) and start the agent; never stop the boot. */
  public readonly agentBootCommands: string[];

  constructor(scope: Construct, id: string, private readonly props: FleetTelemetryProps) {
    super(scope, id);
    const encryptionKey = createLogGroupKey(this, 'LogKey', `${props.fleetName}: vLLM, Neuron and agent logs`);
    this.serverLogs = new logs.LogGroup(this, 'ServerLogs', { retention: props.logRetention, encryptionKey });
    this.metricLogs = new logs.LogGroup(this, 'MetricLogs', { retention: props.logRetention, encryptionKey });
    this.agentBootCommands = this.renderAgentBootCommands();
  }

  /** NeuronCore utilization (0 to 1) across the fleet's cores, from neuron-monitor. */
  public metricNeuronCoreUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOfFleet('neuroncore_utilization_ratio', props);
  }

  /**
   * One of vLLM's scheduler gauges (`VLLM_LOAD_GAUGES`), averaged over the fleet's hosts: the agent
   * publishes each host's scrape once a minute under the `Fleet` dimension, so the average is per host.
   */
  public metricVllmGauge(gauge: keyof typeof VLLM_LOAD_GAUGES, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOfFleet(VLLM_LOAD_GAUGES[gauge], props);
  }

  private metricOfFleet(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: FLEET_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { Fleet: this.props.fleetName },
      statistic: cloudwatch.Stats.AVERAGE,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** The agent's configuration (logs from files, the Prometheus scrape and its metric declarations). */
  public agentConfiguration(): Record<string, unknown> {
    const stream = (name: string) => `{instance_id}/${name}`;
    const perFleetAndHost = [['Fleet'], ['Fleet', 'InstanceId']];
    return {
      agent: { metrics_collection_interval: 60, run_as_user: 'root' },
      logs: {
        logs_collected: {
          files: {
            collect_list: [
              { file_path: VLLM_LOG_FILE, log_group_name: this.serverLogs.logGroupName, log_stream_name: stream('vllm') },
              { file_path: NEURON_MONITOR_LOG_FILE, log_group_name: this.serverLogs.logGroupName, log_stream_name: stream('neuron-monitor') },
              // The boot: prerequisite failures and the cache's staging messages land here.
              { file_path: '/var/log/cloud-init-output.log', log_group_name: this.serverLogs.logGroupName, log_stream_name: stream('boot') },
            ],
          },
        },
        metrics_collected: {
          prometheus: {
            log_group_name: this.metricLogs.logGroupName,
            prometheus_config_path: PROMETHEUS_CONFIG,
            emf_processor: {
              metric_namespace: FLEET_METRIC_NAMESPACE,
              metric_declaration: [
                {
                  // Metric names of neuron-monitor-prometheus.py, as its Grafana dashboard queries them
                  // (aws-neuron-sdk src/examples/neuron-monitor/neuron-monitor-grafana.json).
                  source_labels: ['job'],
                  label_matcher: '^neuron-monitor$',
                  dimensions: perFleetAndHost,
                  metric_selectors: [
                    '^neuroncore_utilization_ratio$', '^neuron_runtime_memory_used_bytes$', '^execution_latency_seconds$',
                    '^execution_status_total$', '^system_memory_used_bytes$', '^system_vcpu_usage_ratio$',
                  ],
                },
                {
                  // vLLM's engine gauges (vllm/v1/metrics/loggers.py).
                  source_labels: ['job'],
                  label_matcher: '^vllm$',
                  dimensions: perFleetAndHost,
                  metric_selectors: [...Object.values(VLLM_LOAD_GAUGES).map((name) => `^${name}$`), '^vllm:kv_cache_usage_perc$'],
                },
              ],
            },
          },
        },
      },
    };
  }

  /**
   * The scrape configuration. `$INSTANCE_ID` is expanded by the boot script (unquoted here-doc);
   * `Fleet` and `InstanceId` become the metrics' dimensions.
   */
  private prometheusConfiguration(): string {
    const target = (job: string, port: number) => [
      `  - job_name: ${job}`,
      '    static_configs:',
      `      - targets: ['127.0.0.1:${port}']`,
      `        labels: { Fleet: '${this.props.fleetName}', InstanceId: '$INSTANCE_ID' }`,
    ];
    return [
      'global:',
      '  scrape_interval: 60s',
      '  scrape_timeout: 10s',
      'scrape_configs:',
      ...target('vllm', this.props.serverPort),
      ...target('neuron-monitor', NEURON_MONITOR_PROMETHEUS_PORT),
    ].join('\n');
  }

  private renderAgentBootCommands(): string[] {
    const ctl = `${AGENT_DIR}/bin/amazon-cloudwatch-agent-ctl`;
    return [
      `install -d -m 755 ${AGENT_DIR}/etc /var/log/neuron-monitor`,
      `cat > ${AGENT_CONFIG} <<'AGENT'\n${JSON.stringify(this.agentConfiguration())}\nAGENT`,
      `cat > ${PROMETHEUS_CONFIG} <<PROMETHEUS\n${this.prometheusConfiguration()}\nPROMETHEUS`,
      // The agent from AWS's regional download link (CloudWatch User Guide, download-cloudwatch-agent-commandline)
      // when the image has none; observability never stops the boot.
      `{ [ -x ${ctl} ] || { curl -fsSLo /tmp/amazon-cloudwatch-agent.deb ` +
        '"https://s3.${AWS_REGION}.amazonaws.com/amazoncloudwatch-agent-${AWS_REGION}/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb" ' +
        `&& dpkg -i -E /tmp/amazon-cloudwatch-agent.deb; }; } && ${ctl} -a fetch-config -m ec2 -c file:${AGENT_CONFIG} -s ` +
        '|| echo "cloudwatch-agent: not running; the logs and metrics stay on the instance" >&2',
    ];
  }

  /**
   * The neuron-monitor service: its JSON reports piped into neuron-monitor-prometheus.py on port
   * 8008 (aws-neuron-sdk tools/neuron-sys-tools/neuron-monitor-user-guide.rst), run with the vLLM
   * venv's Python, which has the `prometheus_client` module the script needs.
   */
  public static neuronMonitorUnit(): string {
    return `[Unit]
Description=neuron-monitor metrics for Prometheus on port ${NEURON_MONITOR_PROMETHEUS_PORT} (vLLM has 8000, the script's default)
After=network-online.target

[Service]
EnvironmentFile=/etc/vllm/vllm.env
ExecStart=/bin/bash -o pipefail -c '/opt/aws/neuron/bin/neuron-monitor | "$VLLM_VENV/bin/python" /opt/aws/neuron/bin/neuron-monitor-prometheus.py --port ${NEURON_MONITOR_PROMETHEUS_PORT}'
Restart=always
RestartSec=30
StandardOutput=append:${NEURON_MONITOR_LOG_FILE}
StandardError=append:${NEURON_MONITOR_LOG_FILE}

[Install]
WantedBy=multi-user.target`;
  }
}
