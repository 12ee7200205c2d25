import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { createEncryptedLogGroup } from '../encryption';

/** The Lambda entry points: the router's and the API key authorizer's (`lib/runtime/lambda`) and mock mode's workers' (`lib/mock/lambda`), each bundled on its own. */
export class RuntimeEntry {
  /** The Bedrock-protocol router (API Gateway proxy events, buffered and streamed). */
  public static readonly ROUTER = new RuntimeEntry('runtime/lambda/router-handler.ts');
  /** The bearer API key authorizer (API Gateway TOKEN authorizer events). */
  public static readonly API_KEY_AUTHORIZER = new RuntimeEntry('runtime/lambda/api-key-authorizer-handler.ts');
  /** The mock prefill worker of mock mode (function URL events). */
  public static readonly MOCK_PREFILL = new RuntimeEntry('mock/lambda/mock-prefill-handler.ts');
  /** The mock decode worker of mock mode (function URL events, streamed). */
  public static readonly MOCK_DECODE = new RuntimeEntry('mock/lambda/mock-decode-handler.ts');

  private constructor(
    /** The entry file, relative to `lib/`. */
    public readonly file: string,
  ) {}

  /** Absolute path of the TypeScript entry file. */
  public get entryPath(): string {
    return path.join(PACKAGE_ROOT, 'lib', this.file);
  }
}

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const LOCK_FILE = path.join(PACKAGE_ROOT, 'package-lock.json');

/** Props of a function that runs one runtime entry point. */
export interface RuntimeFunctionProps extends Omit<nodejs.NodejsFunctionProps, 'entry' | 'runtime' | 'bundling' | 'logGroup'> {
  /** Which entry point the function runs. */
  readonly entry: RuntimeEntry;
  /** The key encrypting the function's log group (one CloudWatch Logs may use). */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * A Lambda function running code of `lib/runtime`, bundled by the locally installed esbuild at synth
 * (aws-cdk-lib's NodejsFunction bundles locally whenever `esbuild` resolves, so synth needs neither
 * Docker nor the network). The AWS SDK pieces the runtime uses are bundled too rather than taken
 * from the Lambda runtime, so what runs is exactly the versions the tests ran. It logs to a log
 * group of its own (`<id>Logs` beside it), KMS-encrypted and kept a year.
 */
export class RuntimeFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: RuntimeFunctionProps) {
    const { entry, logEncryptionKey, ...rest } = props;
    super(scope, id, {
      logGroup: createEncryptedLogGroup(scope, `${id}Logs`, { encryptionKey: logEncryptionKey }),
      memorySize: 1024,
      timeout: Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      architecture: lambda.Architecture.ARM_64,
      ...rest,
      entry: entry.entryPath,
      runtime: lambda.Runtime.NODEJS_24_X,
      projectRoot: PACKAGE_ROOT,
      ...(fs.existsSync(LOCK_FILE) ? { depsLockFilePath: LOCK_FILE } : {}),
      bundling: {
        bundleAwsSDK: true,
        sourceMap: true,
        minify: true,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        tsconfig: path.join(PACKAGE_ROOT, 'tsconfig.json'),
      },
      environment: { NODE_OPTIONS: '--enable-source-maps', ...rest.environment },
    });
  }
}
