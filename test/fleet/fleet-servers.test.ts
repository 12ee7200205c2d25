import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { TrainiumPrefillFleet } from '../../lib/prefill';
import { PATHS } from '../../lib/runtime/openai/worker-protocol';
import { fleetScaffold, launchTemplateData, userDataText } from '../prefill/fleet-fixtures';

type FleetProps = Partial<ConstructorParameters<typeof TrainiumPrefillFleet>[2]>;

function fleet(props: FleetProps = {}) {
  const { stack, network, model } = fleetScaffold();
  const prefill = new TrainiumPrefillFleet(stack, 'Prefill', { network, model, ...props });
  const template = Template.fromStack(stack);
  return { stack, prefill, template, script: userDataText(launchTemplateData(template)) };
}

/** A here-doc's body in the boot script. */
function hereDoc(script: string, opening: string, mark: string): string {
  const start = script.indexOf(opening);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = script.slice(start).split('\n').slice(1);
  return lines.slice(0, lines.indexOf(mark)).join('\n');
}

/** The service environment file's lines. */
const environment = (script: string) => hereDoc(script, "cat > /etc/vllm/vllm.env <<'ENV'", 'ENV').split('\n');

describe('vLLM\'s time limits', () => {
  test('the Neuron tutorials\' values by default: compilation and execution 1,200 s, engine start 1,800 s', () => {
    expect(environment(fleet().script)).toEqual(expect.arrayContaining([
      'VLLM_NEURON_COMPILATION_TIMEOUT=1200',
      'VLLM_EXECUTE_MODEL_TIMEOUT_SECONDS=1200',
      'VLLM_ENGINE_READY_TIMEOUT_S=1800',
    ]));
  });

  test('props set them, in whole seconds', () => {
    const env = environment(fleet({
      compilationTimeout: Duration.minutes(40), executeModelTimeout: Duration.minutes(30), engineReadyTimeout: Duration.minutes(50),
    }).script);
    expect(env).toEqual(expect.arrayContaining([
      'VLLM_NEURON_COMPILATION_TIMEOUT=2400', 'VLLM_EXECUTE_MODEL_TIMEOUT_SECONDS=1800', 'VLLM_ENGINE_READY_TIMEOUT_S=3000',
    ]));
  });

  test('a limit that is not whole seconds is an error naming it and the variable', () => {
    expect(() => fleet({ compilationTimeout: Duration.millis(1500) })).toThrow(
      /compilationTimeout 1 second 500 millis is not a whole number of seconds \(VLLM_NEURON_COMPILATION_TIMEOUT takes seconds\)/,
    );
  });

  test('a health-check grace period shorter than the engine start limit is a warning', () => {
    const { stack } = fleet({ healthCheckGracePeriod: Duration.minutes(20) });
    Annotations.fromStack(stack).hasWarning('/Test/Prefill', Match.stringLikeRegexp('healthCheckGracePeriod \\(20 minutes\\) is shorter than engineReadyTimeout \\(30 minutes\\)'));
    Annotations.fromStack(fleet().stack).hasNoWarning('*', Match.stringLikeRegexp('engineReadyTimeout'));
  });
});

describe('readiness', () => {
  test('the load balancer checks vLLM\'s /health, the path the router\'s worker protocol names, on the server port', () => {
    const { template } = fleet();
    expect(PATHS.health).toBe('/health');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: PATHS.health, HealthCheckPort: '8000', HealthCheckProtocol: 'HTTP',
    });
  });

  test('the server port may not be one the hosts\' other services listen on', () => {
    expect(() => fleet({ port: 8008 })).toThrow(/port 8008 is neuron-monitor's Prometheus exporter on the instances; give another port/);
    expect(() => fleet({ port: 5600 })).toThrow(/port 5600 is NIXL's side channel on the instances/);
  });
});

describe('the CloudWatch agent, configured in the launch template', () => {
  let script: string;
  let template: Template;
  let agent: any;
  beforeAll(() => {
    ({ script, template } = fleet());
    const json = hereDoc(script, "cat > /opt/aws/amazon-cloudwatch-agent/etc/disaggregated-inference.json <<'AGENT'", 'AGENT')
      .replace(/\$\{\{"Ref":"([A-Za-z0-9]+)"\}\}/g, 'REF:$1');
    agent = JSON.parse(json);
  });

  test('ships the vLLM log (vLLM, vllm-neuron, the Neuron runtime), neuron-monitor\'s and the boot log to the fleet\'s log group', () => {
    const files = agent.logs.logs_collected.files.collect_list;
    expect(files.map((f: any) => [f.file_path, f.log_stream_name])).toEqual([
      ['/var/log/vllm/vllm.log', '{instance_id}/vllm'],
      ['/var/log/neuron-monitor/neuron-monitor.log', '{instance_id}/neuron-monitor'],
      ['/var/log/cloud-init-output.log', '{instance_id}/boot'],
    ]);
    for (const f of files) expect(f.log_group_name).toMatch(/^REF:PrefillTelemetryServerLogs/);
    expect(script).toContain('StandardOutput=append:/var/log/vllm/vllm.log');
  });

  test('turns neuron-monitor\'s and vLLM\'s Prometheus metrics into CloudWatch metrics per fleet and host', () => {
    const prometheus = agent.logs.metrics_collected.prometheus;
    expect(prometheus.log_group_name).toMatch(/^REF:PrefillTelemetryMetricLogs/);
    expect(prometheus.emf_processor.metric_namespace).toBe('DisaggregatedInference/Fleets');
    const declarations = prometheus.emf_processor.metric_declaration;
    expect(declarations.map((d: any) => d.label_matcher)).toEqual(['^neuron-monitor$', '^vllm$']);
    expect(declarations[0].metric_selectors).toContain('^neuroncore_utilization_ratio$');
    for (const d of declarations) expect(d.dimensions).toEqual([['Fleet'], ['Fleet', 'InstanceId']]);
    const scrape = hereDoc(script, 'cat > /opt/aws/amazon-cloudwatch-agent/etc/prometheus.yaml <<PROMETHEUS', 'PROMETHEUS');
    expect(scrape).toContain("- targets: ['127.0.0.1:8000']");
    expect(scrape).toContain("- targets: ['127.0.0.1:8008']");
    expect(scrape).toContain("labels: { Fleet: 'Test/Prefill', InstanceId: '$INSTANCE_ID' }");
  });

  test('neuron-monitor\'s exporter listens on 8008, not on its default 8000, which is vLLM\'s', () => {
    const unit = hereDoc(script, "cat > /etc/systemd/system/neuron-monitor.service <<'UNIT'", 'UNIT');
    expect(unit).toMatch(/neuron-monitor \| "\$VLLM_VENV\/bin\/python" \/opt\/aws\/neuron\/bin\/neuron-monitor-prometheus.py --port 8008'/);
    expect(script).toContain('systemctl enable --now neuron-monitor.service');
  });

  test('installs the agent when the image has none and starts it with this configuration, never stopping the boot', () => {
    const start = script.split('\n').find((l) => l.includes('amazon-cloudwatch-agent-ctl -a fetch-config'))!;
    expect(start).toContain('https://s3.${AWS_REGION}.amazonaws.com/amazoncloudwatch-agent-${AWS_REGION}/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb');
    expect(start).toContain('-m ec2 -c file:/opt/aws/amazon-cloudwatch-agent/etc/disaggregated-inference.json -s');
    expect(start).toMatch(/\|\| echo "cloudwatch-agent: not running; the logs and metrics stay on the instance" >&2$/);
  });

  test('the log groups are kept a year and encrypted with the fleet\'s key; retention is a prop', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', {
      RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PrefillTelemetryLogKey'), 'Arn'] },
    }, 2);
    fleet({ logRetention: logs.RetentionDays.TWO_YEARS }).template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 731 }, 2);
  });

  test('the fleet charts NeuronCore utilization from those metrics', () => {
    const { prefill, stack } = fleet();
    const metric = prefill.metricNeuronCoreUtilization();
    expect([metric.namespace, metric.metricName, metric.dimensions]).toEqual(['DisaggregatedInference/Fleets', 'neuroncore_utilization_ratio', { Fleet: 'Test/Prefill' }]);
    expect(stack.resolve(prefill.serverLogGroup.logGroupName)).toEqual({ Ref: expect.stringMatching(/^PrefillTelemetryServerLogs/) });
  });
});

describe('the user data', () => {
  test('stays under EC2\'s 16 KB limit for raw user data, with every CloudFormation value at 128 characters', () => {
    const { template } = fleet();
    const data = launchTemplateData(template);
    const [separator, parts] = data.UserData['Fn::Base64']['Fn::Join'];
    const longest = parts.map((part: unknown) => (typeof part === 'string' ? part : 'x'.repeat(128))).join(separator);
    expect(Buffer.byteLength(longest)).toBeLessThan(16 * 1024);
  });
});
