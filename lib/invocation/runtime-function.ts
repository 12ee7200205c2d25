import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { createEncryptedLogGroup } from '../encryption';
import { bundleRuntimeEntry } from './runtime-bundle';

/**
 * Where this module runs from: the TypeScript sources (this repo, through tsx or ts-jest) or the
 * compiled JavaScript of an installed package (`dist/lib/invocation/runtime-function.js`).
 */
const FROM_SOURCES = path.extname(__filename) === '.ts';
/** `lib/` of the sources, or `dist/lib/` of the package. */
const LIB_ROOT = path.resolve(__dirname, '..');
/** Where `npm run build` puts the prebuilt bundles: `dist/lambda/<bundleName>/index.js`. */
const PREBUILT_ROOT = path.resolve(LIB_ROOT, '..', 'lambda');

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
  /** Every entry point; `npm run build` pre-bundles each of them. */
  public static readonly ALL: RuntimeEntry[] = [RuntimeEntry.ROUTER, RuntimeEntry.API_KEY_AUTHORIZER, RuntimeEntry.MOCK_PREFILL, RuntimeEntry.MOCK_DECODE];

  private constructor(
    /** The entry file, relative to `lib/`. */
    public readonly file: string,
  ) {}

  /** The name of its prebuilt bundle's directory under `dist/lambda/`: the entry file's name without `.ts`. */
  public get bundleName(): string {
    return path.basename(this.file, '.ts');
  }

  /**
   * The function's code. In an installed package, the bundle `npm run build` made (so a user's synth
   * needs neither esbuild nor Docker); run from the TypeScript sources, the entry bundled by the local
   * esbuild at synth (so a change to the sources is in the next synth, with no build step).
   */
  public code(): lambda.Code {
    if (!FROM_SOURCES) {
      const dir = path.join(PREBUILT_ROOT, this.bundleName);
      if (!fs.existsSync(path.join(dir, 'index.js'))) {
        throw new Error(`The prebuilt Lambda bundle ${dir}/index.js of lib/${this.file} is missing: build the package with \`npm run build\`.`);
      }
      return lambda.Code.fromAsset(dir);
    }
    return lambda.Code.fromAsset(LIB_ROOT, {
      // The bundle's own content names the asset, as NodejsFunction does.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never pulled: local bundling either succeeds or throws. aws-cdk-lib's NodejsFunction names
        // the same placeholder image when it bundles with a local esbuild.
        image: DockerImage.fromRegistry('dummy'),
        local: new LocalEsbuildBundling(path.resolve(LIB_ROOT, '..'), this.file),
      },
    });
  }
}

/**
 * Bundles one entry at synth with the local esbuild. Its fields are part of the key aws-cdk-lib
 * caches staged assets by, so each entry gets its own bundle (the source directory is the same).
 */
class LocalEsbuildBundling implements ILocalBundling {
  constructor(
    private readonly projectRoot: string,
    private readonly file: string,
  ) {}

  public tryBundle(outputDir: string): boolean {
    bundleRuntimeEntry(this.projectRoot, this.file, outputDir);
    return true;
  }
}

/** Props of a function that runs one runtime entry point. */
export interface RuntimeFunctionProps extends Omit<lambda.FunctionOptions, 'logGroup'> {
  /** Which entry point the function runs. */
  readonly entry: RuntimeEntry;
  /**
   * The entry's exported function that Lambda calls.
   * @default 'handler'
   */
  readonly handler?: string;
  /** The key encrypting the function's log group (one CloudWatch Logs may use). */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * A Lambda function running one entry point of `lib/runtime` or `lib/mock` ({@link RuntimeEntry.code}
 * says where its bundle comes from): Node 24 on arm64, X-Ray tracing, source-mapped stack traces. It
 * logs to a log group of its own (`<id>Logs` beside it), KMS-encrypted and kept a year.
 */
export class RuntimeFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: RuntimeFunctionProps) {
    const { entry, handler = 'handler', logEncryptionKey, ...options } = props;
    super(scope, id, {
      logGroup: createEncryptedLogGroup(scope, `${id}Logs`, { encryptionKey: logEncryptionKey }),
      memorySize: 1024,
      timeout: Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      architecture: lambda.Architecture.ARM_64,
      ...options,
      code: entry.code(),
      handler: `index.${handler}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...options.environment },
    });
  }
}
