import { Duration, Fn, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DecodeKvCapability, type IDecodeEndpoint } from '../decode';
import { acknowledgeGuardRule } from '../controls';
import { createLogGroupKey } from '../encryption';
import { getModelSpec } from '../hardware';
// The one import of lib/mock a construct may make: the environment contract of the entry points it bundles.
import { MOCK_WORKER_ENV_VAR, type MockWorkerConfig } from '../mock/lambda/worker-environment';
import type { IPrefillEndpoint } from '../prefill';
import { RuntimeEntry, RuntimeFunction } from './runtime-function';

/** How long the mock worker functions take to answer. */
export class MockWorkerTiming {
  /** No simulated time: the workers answer as fast as Lambda runs them. */
  public static readonly NONE = new MockWorkerTiming('none');
  /** Trainium prefill and CS-3 decode speeds from the hardware catalog, so the dashboard looks like the real system's. */
  public static readonly REALISTIC = new MockWorkerTiming('realistic');

  private constructor(
    /** The timing name the worker functions read (`MockTiming` of the local mock): `none` or `realistic`. */
    public readonly name: string,
  ) {}
}

/** Props of `MockInferenceWorkers`. */
export interface MockInferenceWorkersProps {
  /**
   * The model the workers pretend to serve, by any name the model catalog knows.
   *
   * @default 'llama-3.3-70b-instruct' (as the local mock and the default app)
   */
  readonly model?: string;
  /**
   * How long the workers take (as `npm run mock -- --timing`): `REALISTIC` emulates Trainium
   * prefill and CS-3 decode speeds from the hardware catalog, so the dashboard looks like the
   * real system's.
   *
   * @default MockWorkerTiming.REALISTIC
   */
  readonly timing?: MockWorkerTiming;
  /**
   * Key encrypting the workers' log groups.
   *
   * @default - a new key with rotation enabled, usable by CloudWatch Logs for this account's log groups only
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** The configuration a mock worker function is told at synth, from the construct's props. */
function workerConfig(props: MockInferenceWorkersProps): MockWorkerConfig {
  const spec = getModelSpec(props.model ?? 'llama-3.3-70b-instruct');
  return {
    model: spec.name,
    servedModelName: spec.huggingFaceId,
    // The two instances of MockWorkerTiming are the only ones, each named after a timing the functions accept.
    timing: (props.timing ?? MockWorkerTiming.REALISTIC).name as MockWorkerConfig['timing'],
  };
}

/** A function URL the router calls, signed with SigV4 under IAM auth. */
abstract class FunctionUrlEndpoint extends Construct {
  /** The catalog name of the model the worker pretends to serve. */
  public readonly model: string;
  /** The `model` name requests carry. */
  public readonly servedModelName: string;
  /** The function running the worker. */
  public readonly function: lambda.Function;
  /** Its IAM-authenticated function URL. */
  public readonly functionUrl: lambda.FunctionUrl;
  /** Base URL (https://host) of the worker. */
  public readonly endpointUrl: string;

  constructor(scope: Construct, id: string, entry: RuntimeEntry, props: MockInferenceWorkersProps, description: string) {
    super(scope, id);
    const config = workerConfig(props);
    const logEncryptionKey = props.logEncryptionKey ?? createLogGroupKey(this, 'LogKey', `Encrypts the logs of ${this.node.path}`);
    this.model = config.model;
    this.servedModelName = config.servedModelName;
    this.function = new RuntimeFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description,
      memorySize: 512,
      timeout: Duration.minutes(15),
      logEncryptionKey,
      environment: { [MOCK_WORKER_ENV_VAR]: JSON.stringify(config) },
    });
    acknowledgeGuardRule(
      this.function,
      'lambda_inside_vpc_check',
      'A mock worker reaches nothing and is reached only through its IAM-authenticated function URL, a public endpoint; mock mode exists to run the API in any account for pennies, which a VPC\'s NAT gateway would not.',
    );
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole is AWS\'s minimal policy for a function to write its own logs; the mock worker needs nothing else.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing of the mock worker: xray:PutTraceSegments and PutTelemetryRecords accept only Resource "*".',
    });
    this.functionUrl = this.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    // The URL attribute ends in '/'; the router appends paths that start with '/'.
    this.endpointUrl = `https://${Fn.select(2, Fn.split('/', this.functionUrl.url))}`;
  }

  /** Lets a caller invoke the worker through its URL. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.functionUrl.grantInvokeUrl(grantee);
  }
}

/** The mock prefill worker as a Lambda function; an `IPrefillEndpoint` with no fleet behind it. */
export class MockPrefillEndpoint extends FunctionUrlEndpoint implements IPrefillEndpoint {
  /** None: the router reaches the function URL over the internet. */
  public readonly connections = new ec2.Connections();

  constructor(scope: Construct, id: string, props: MockInferenceWorkersProps = {}) {
    super(scope, id, RuntimeEntry.MOCK_PREFILL, props, 'Mock prefill worker (mock mode)');
  }
}

/**
 * The mock decode worker as a Lambda function. Functions take no inbound connections, so it
 * cannot pull KV blocks from the prefill function: it declares prompt replay, the same path a
 * CS-3 behind a public API takes.
 */
export class MockDecodeEndpoint extends FunctionUrlEndpoint implements IDecodeEndpoint {
  public readonly kvCapability = DecodeKvCapability.PROMPT_REPLAY;
  /** None: the router reaches the function URL over the internet. */
  public readonly connections = new ec2.Connections();

  constructor(scope: Construct, id: string, props: MockInferenceWorkersProps = {}) {
    super(scope, id, RuntimeEntry.MOCK_DECODE, props, 'Mock decode worker (mock mode)');
  }
}

/**
 * The mock prefill and decode workers of `lib/mock`, running as Lambda functions behind
 * IAM-authenticated function URLs: the whole API in any account, without EC2, Trainium or a CS-3.
 */
export class MockInferenceWorkers extends Construct {
  public readonly prefill: MockPrefillEndpoint;
  public readonly decode: MockDecodeEndpoint;
  /** The catalog name of the model served. */
  public readonly model: string;

  constructor(scope: Construct, id: string, props: MockInferenceWorkersProps = {}) {
    super(scope, id);
    // One key for both workers' logs.
    const logEncryptionKey = props.logEncryptionKey ?? createLogGroupKey(this, 'LogKey', 'Encrypts the logs of the mock workers');
    this.prefill = new MockPrefillEndpoint(this, 'Prefill', { ...props, logEncryptionKey });
    this.decode = new MockDecodeEndpoint(this, 'Decode', { ...props, logEncryptionKey });
    this.model = this.prefill.model;
  }
}
