import { spawnSync } from 'child_process';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Size } from 'aws-cdk-lib';
import { ModelSource, PurchaseOption } from '../../lib/fleet';
import { TrainiumPrefillFleet } from '../../lib/prefill';
import { testStack } from '../app/test-app';
import { CAPACITY_BLOCK, expectEfaLaunchTemplate, fleetScaffold, instanceRoleStatements, launchTemplateData, userDataText } from './fleet-fixtures';

describe('TrainiumPrefillFleet with defaults (trn2.48xlarge, on demand)', () => {
  let template: Template;
  let fleet: TrainiumPrefillFleet;
  let data: Record<string, any>;
  beforeAll(() => {
    const { stack, network, model } = fleetScaffold();
    fleet = new TrainiumPrefillFleet(stack, 'Prefill', { network, model });
    template = Template.fromStack(stack);
    data = launchTemplateData(template);
  });

  test('launch template: EFA layout over 16 cards, groups per interface, IMDSv2, encryption, no public IP', () => {
    expect(data.InstanceType).toBe('trn2.48xlarge');
    expectEfaLaunchTemplate(data, 16);
  });

  test('the cluster placement group is in the launch template; no capacity-block options', () => {
    expect(Object.keys(data.Placement)).toEqual(['GroupName']);
    expect(JSON.stringify(data.Placement.GroupName)).toMatch(/NetPlacementGroup/);
    expect(data.InstanceMarketOptions).toBeUndefined();
    expect(data.CapacityReservationSpecification).toBeUndefined();
  });

  test('the Neuron vLLM DLAMI (vllm-neuron, Trn2/Trn3) resolved from SSM at launch', () => {
    expect(data.ImageId).toBe('resolve:ssm:/aws/service/neuron/dlami/pytorch-inference-vllm-0.24.0.1.1.0/ubuntu-24.04/latest/image_id');
  });

  test('user data runs vLLM as a systemd service, the NIXL KV producer over LIBFABRIC, with EFA env', () => {
    const script = userDataText(data);
    expect(script).toContain('FI_PROVIDER=efa');
    expect(script).toContain('FI_EFA_USE_DEVICE_RDMA=1');
    expect(script).toContain(`'--kv-transfer-config' '{"kv_connector":"NixlConnector","kv_role":"kv_producer","kv_connector_extra_config":{"backends":["LIBFABRIC"]}}'`);
    expect(script).toContain("'--tensor-parallel-size' '64'");
    expect(script).toContain("'--port' '8000'");
    expect(script).toContain("'--served-model-name' 'meta-llama/Llama-3.3-70B-Instruct'");
    // The tools protocol for the catalog model (Llama 3.3: vLLM's llama3_json parser), and cached prompt tokens in the usage.
    expect(script).toContain("'--enable-auto-tool-choice' '--tool-call-parser' 'llama3_json' '--enable-prompt-tokens-details'");
    expect(script).toContain('systemctl enable --now vllm.service');
    expect(script).toContain('aws secretsmanager get-secret-value');
  });

  test('the Hugging Face token is read from its secret at every server start, so a token put in after deploy is used', () => {
    const script = userDataText(data);
    const serveScript = /cat > \/opt\/vllm\/serve.sh <<'SERVE'\n([\s\S]*?)\nSERVE\n/.exec(script)?.[1] ?? '';
    const lines = serveScript.split('\n');
    const read = lines.findIndex((l) => l.startsWith('HF_TOKEN=$(aws secretsmanager get-secret-value'));
    expect(read).toBeGreaterThan(0);
    expect(lines).toContain('export HF_TOKEN');
    expect(read).toBeLessThan(lines.findIndex((l) => l.startsWith('exec vllm serve')));
    // Only in the start script: not at boot, never written to a file.
    expect(script.split('get-secret-value').length - 1).toBe(1);
    expect(script).not.toContain('hf-token.env');
    expect(script).toMatch(/^AWS_REGION=/m);
  });

  test('on an image without a vLLM environment the boot script stops with a message saying so', () => {
    const boot = userDataText(data).split('\n');
    const venvCheck = boot.slice(0, boot.findIndex((l) => l.startsWith('[ -n "$VLLM_VENV" ]')) + 1);
    expect(venvCheck[1]).toBe('set -euo pipefail');
    const run = spawnSync('bash', ['-c', venvCheck.filter((l) => !l.startsWith('export AWS_REGION')).join('\n')], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no vLLM virtual environment under /opt: use a Neuron DLAMI with vLLM');
  });

  test('Auto Scaling group in the EFA subnet, ELB health checks with a long grace period, group metrics', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '2',
      VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^NetVpcEfaSubnet1Subnet') }],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 3600,
      MetricsCollection: [{ Granularity: '1Minute' }],
    });
  });

  test('internal NLB with an HTTP /health check on the server port', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Type: 'network' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8000,
      Protocol: 'TCP',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/health',
    });
    expect(fleet.endpointUrl).toMatch(/^http:\/\/\$\{Token\[.*\]\}:8000$/);
    expect(fleet.port).toBe(8000);
    expect(fleet.connections.defaultPort?.toString()).toBe('8000');
  });

  test('instance role: SSM core, CloudWatch agent, and read of exactly the token secret', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.arrayWith([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchAgentServerPolicy']] },
      ]),
    });
    // The token secret is the only secret it reads; everything else it may touch is its artifact-cache entries.
    const statements = instanceRoleStatements(template);
    expect(statements.filter((st) => JSON.stringify(st.Action).includes('secretsmanager'))).toEqual([{
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Effect: 'Allow',
      Resource: { Ref: expect.stringMatching(/^HfToken/) },
    }]);
    for (const st of statements.filter((s) => !JSON.stringify(s.Action).includes('secretsmanager'))) {
      expect(JSON.stringify(st.Resource)).toMatch(/PrefillArtifactCache(Bucket|Key)/);
    }
  });

  test('the load balancer may reach the server port on the instances, and only that', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8000,
      ToPort: 8000,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PrefillInstanceSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PrefillLoadBalancerSecurityGroup'), 'GroupId'] },
    });
  });

  test('metrics for the dashboard and alarms', () => {
    expect(fleet.metricHealthyHostCount().metricName).toBe('HealthyHostCount');
    expect(fleet.metricUnhealthyHostCount().metricName).toBe('UnHealthyHostCount');
    expect(fleet.metricInServiceInstances().metricName).toBe('GroupInServiceInstances');
    expect(fleet.metricInServiceInstances().namespace).toBe('AWS/AutoScaling');
  });
});

describe.each([
  ['trn2u.48xlarge', 16, 64],
  ['trn2.3xlarge', 1, 4],
])('TrainiumPrefillFleet on %s', (type, cards, cores) => {
  test(`one EFA-only interface on each of its ${cards} cards; tensor parallel over ${cores} cores`, () => {
    const { stack, network, model } = fleetScaffold();
    new TrainiumPrefillFleet(stack, 'Prefill', { network, model, instanceType: new ec2.InstanceType(type) });
    const data = launchTemplateData(Template.fromStack(stack));
    expectEfaLaunchTemplate(data, cards);
    expect(userDataText(data)).toContain(`'--tensor-parallel-size' '${cores}'`);
  });
});

describe('TrainiumPrefillFleet purchase options', () => {
  test('a Capacity Block: capacity-block market, the reservation, no placement group', () => {
    const { stack, network, model } = fleetScaffold();
    new TrainiumPrefillFleet(stack, 'Prefill', {
      network,
      model,
      purchaseOption: PurchaseOption.capacityBlock(CAPACITY_BLOCK),
    });
    const data = launchTemplateData(Template.fromStack(stack));
    expect(data.Placement).toBeUndefined();
    expect(data.InstanceMarketOptions).toEqual({ MarketType: 'capacity-block' });
    expect(data.CapacityReservationSpecification).toEqual({
      CapacityReservationTarget: { CapacityReservationId: 'cr-0123456789abcdef0' },
    });
  });

  test('a Capacity Reservation: targeted reservation, on-demand market, placement group kept', () => {
    const { stack, network, model } = fleetScaffold();
    new TrainiumPrefillFleet(stack, 'Prefill', {
      network,
      model,
      purchaseOption: PurchaseOption.capacityReservation('cr-0fedcba9876543210'),
    });
    const data = launchTemplateData(Template.fromStack(stack));
    expect(data.InstanceMarketOptions).toBeUndefined();
    expect(data.CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId).toBe('cr-0fedcba9876543210');
    expect(data.Placement.GroupName).toBeDefined();
  });
});

describe('TrainiumPrefillFleet with a model in S3 and a customer-managed key', () => {
  test('the role lists and reads exactly the prefix; vLLM serves the synced directory', () => {
    const { stack, network } = fleetScaffold();
    const bucket = new s3.Bucket(stack, 'Models', { enforceSSL: true });
    new TrainiumPrefillFleet(stack, 'Prefill', {
      network,
      model: ModelSource.s3(bucket, '/models/llama-3.3-70b/'),
      maxModelLength: 16384,
    });
    const template = Template.fromStack(stack);
    // Of the model's bucket, exactly the prefix (the rest of the role's statements are its artifact-cache entries).
    const onModels = instanceRoleStatements(template).filter((st) => /"Models/.test(JSON.stringify(st.Resource)));
    expect(onModels).toEqual([
      {
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['models/llama-3.3-70b', 'models/llama-3.3-70b/*'] } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Models/), 'Arn'] },
      },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Models/), 'Arn'] }, '/models/llama-3.3-70b/*']] },
      },
    ]);
    const script = userDataText(launchTemplateData(template));
    expect(script).toMatch(/aws s3 sync 's3:\/\/.*\/models\/llama-3.3-70b\/' '\/opt\/models\/llama-3.3-70b'/);
    expect(script).toContain("'--served-model-name' 'llama-3.3-70b'");
    expect(script).toContain("'--max-model-len' '16384'");
  });
});

describe('TrainiumPrefillFleet volumes', () => {
  test('root volume size and a customer-managed key the Auto Scaling service role may use', () => {
    const { stack, network, model } = fleetScaffold();
    const key = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
    new TrainiumPrefillFleet(stack, 'Prefill', { network, model, volumeKey: key, rootVolumeSize: Size.gibibytes(2048) });
    const template = Template.fromStack(stack);
    expect(launchTemplateData(template).BlockDeviceMappings[0].Ebs).toEqual({
      VolumeSize: 2048,
      VolumeType: 'gp3',
      Encrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      DeleteOnTermination: true,
    });
    const autoScalingRole = { AWS: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling$')])] } };
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([
        Match.objectLike({ Principal: autoScalingRole, Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']) }),
        // Grants only for AWS resources (the EBS volumes it attaches), as AWS documents for this role.
        Match.objectLike({ Principal: autoScalingRole, Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } }),
      ]) },
    });
  });
});

describe('TrainiumPrefillFleet bad input', () => {
  function build(props: Partial<ConstructorParameters<typeof TrainiumPrefillFleet>[2]>) {
    const { stack, network, model } = fleetScaffold();
    return () => new TrainiumPrefillFleet(stack, 'Prefill', { network, model, ...props });
  }

  test('a type without EFA (trn1.2xlarge)', () => {
    expect(build({ instanceType: new ec2.InstanceType('trn1.2xlarge') })).toThrow(
      /instance type 'trn1.2xlarge' has no EFA.*Use one of trn2.3xlarge, trn2.48xlarge, trn2u.48xlarge\.$/,
    );
  });

  test.each(['trn1.32xlarge', 'trn1n.32xlarge'])('%s: EFA, but no disaggregated inference in vllm-neuron (Trn2/Trn3 only)', (type) => {
    expect(build({ instanceType: new ec2.InstanceType(type) })).toThrow(
      new RegExp(`instance type '${type}' cannot run disaggregated prefill/decode with the software on the default image: ` +
        'its vLLM is vllm-neuron, which supports Trn2 and Trn3 only.*Use one of trn2.3xlarge, trn2.48xlarge, trn2u.48xlarge\\.$'),
    );
  });

  test('a type that is not Trainium', () => {
    expect(build({ instanceType: new ec2.InstanceType('p5.48xlarge') })).toThrow(
      /instance type 'p5.48xlarge' is not a Trainium type. Use one of trn2.3xlarge, trn2.48xlarge, trn2u.48xlarge\.$/,
    );
  });

  test('min above max', () => {
    expect(build({ minCapacity: 3, maxCapacity: 2 })).toThrow(
      /minCapacity 3 is above maxCapacity 2. Lower minCapacity or raise maxCapacity to at least 3/,
    );
  });

  test('desired outside min..max', () => {
    expect(build({ minCapacity: 1, maxCapacity: 2, desiredCapacity: 5 })).toThrow(/desiredCapacity 5 is outside minCapacity 1 .. maxCapacity 2/);
  });

  test('a tensor-parallel degree that does not divide the NeuronCores', () => {
    expect(build({ tensorParallelDegree: 48 })).toThrow(
      /tensorParallelDegree 48 does not divide the 64 logical NeuronCores of trn2.48xlarge. Use one of 1, 2, 4, 8, 16, 32, 64/,
    );
  });

  test('a Capacity Block without a reservation id', () => {
    expect(() => PurchaseOption.capacityBlock({ ...CAPACITY_BLOCK, reservationId: '' })).toThrow(
      /PurchaseOption.capacityBlock: a Capacity Block needs its Capacity Reservation id, got ''.*cr-0123456789abcdef0/,
    );
    expect(() => PurchaseOption.capacityBlock({ ...CAPACITY_BLOCK, reservationId: 'block-1' })).toThrow(/'block-1' is not a Capacity Reservation id/);
  });

  test('a model with neither a Hugging Face id nor an S3 prefix', () => {
    expect(build({ model: undefined })).toThrow(
      /no model given. Set `model` to ModelSource.huggingFace\('<org>\/<model>', \{ tokenSecret \}\) or ModelSource.s3\(bucket, '<prefix>'\)/,
    );
    expect(() => ModelSource.huggingFace('')).toThrow(/ModelSource.huggingFace: the model id is empty.*or use ModelSource.s3/);
    const bucket = s3.Bucket.fromBucketName(testStack(), 'B', 'models');
    expect(() => ModelSource.s3(bucket, '/')).toThrow(/ModelSource.s3: the key prefix is empty \('\/'\).*or use ModelSource.huggingFace/);
  });
});
