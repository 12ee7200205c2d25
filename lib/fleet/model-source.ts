import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** Options of a model served straight from the Hugging Face Hub. */
export interface HuggingFaceModelOptions {
  /**
   * Secret holding a Hugging Face access token (the whole secret string), for gated models such as Llama.
   * The instances read it at boot; the instance role may read this secret and nothing else.
   * @default - no token: only public models download
   */
  readonly tokenSecret?: secretsmanager.ISecret;
}

/** What a fleet needs from a model source to start vLLM. */
export interface ModelSourceConfig {
  /** The model argument of `vllm serve`: a Hugging Face id or a local directory. */
  readonly vllmModelArgument: string;
  /** The `model` name the server answers to unless the fleet overrides it. */
  readonly defaultServedModelName: string;
  /** Shell lines run once at boot, before vLLM first starts, to make the model available. */
  readonly fetchCommands: string[];
  /**
   * Shell lines run before every start of the server (in its start script, under `set -eu`), for
   * values that may change while the instance lives, such as a token kept in a secret.
   */
  readonly startCommands: string[];
  /** Environment lines (`KEY=value`) for the vLLM service; values may be shell-expanded at boot. */
  readonly environment: string[];
  /**
   * Weights the fleet keeps in its artifact cache for the hosts after the first, for a source
   * outside AWS (the Hugging Face Hub). Absent for weights that are in S3 already.
   * @default - the weights are not cached
   */
  readonly cachedWeights?: CachedWeightsConfig;
}

/** How a model source's weights go through the artifact cache. */
export interface CachedWeightsConfig {
  /** The weights' entry below the cache's `weights/`, e.g. `huggingface/meta-llama/Llama-3.3-70B-Instruct`. */
  readonly cacheName: string;
  /** The directory the weights are served from (the source's `vllmModelArgument`). */
  readonly localDirectory: string;
  /**
   * Shell lines that download the weights into `localDirectory` when the cache has none, run in
   * the server's start script after `startCommands`, with the vLLM environment active.
   */
  readonly downloadCommands: string[];
}

/** Where the model weights come from. Use the static factories. */
export abstract class ModelSource {
  /**
   * A model on the Hugging Face Hub, downloaded into a directory on the instance when the fleet's
   * artifact cache holds no copy yet (and then staged there for the hosts after it).
   * @param modelId the repository id, e.g. `meta-llama/Llama-3.3-70B-Instruct`
   */
  public static huggingFace(modelId: string, options: HuggingFaceModelOptions = {}): ModelSource {
    if (!modelId || !modelId.trim()) {
      throw new Error(
        `ModelSource.huggingFace: the model id is empty ('${modelId ?? ''}'). Give a Hugging Face repository id such as ` +
          "'meta-llama/Llama-3.3-70B-Instruct', or use ModelSource.s3(bucket, prefix) for weights in S3.",
      );
    }
    // The id lands in shell and Python literals on the instances: only the characters the Hub allows.
    if (!Token.isUnresolved(modelId) && !HUGGING_FACE_ID.test(modelId.trim())) {
      throw new Error(
        `ModelSource.huggingFace: '${modelId}' is not a Hugging Face repository id. Give '<org>/<model>' of letters, ` +
          "digits, '.', '_' and '-', such as 'meta-llama/Llama-3.3-70B-Instruct'.",
      );
    }
    return new HuggingFaceModelSource(modelId.trim(), options);
  }

  /**
   * A model whose weights (Hugging Face layout) are under a key prefix of an S3 bucket, copied to
   * the instance at boot. The instance role may list and read exactly that prefix.
   */
  public static s3(bucket: s3.IBucket, prefix: string): ModelSource {
    const normalized = (prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (!Token.isUnresolved(prefix) && !normalized) {
      throw new Error(
        `ModelSource.s3: the key prefix is empty ('${prefix ?? ''}'). Give the prefix the model's files are under, ` +
          "e.g. 'models/llama-3.3-70b-instruct', or use ModelSource.huggingFace(id) to download from the Hub.",
      );
    }
    return new S3ModelSource(bucket, normalized);
  }

  /** Where the model comes from, for descriptions and errors. */
  public abstract readonly description: string;

  /** Grants `role` what fetching the model needs and returns how to fetch and serve it. */
  public abstract bind(role: iam.IGrantable): ModelSourceConfig;
}

/** A Hub repository id: an optional owner and a name, each of letters, digits, '.', '_' and '-'. */
const HUGGING_FACE_ID = /^([A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Directory the models are fetched into on the instance (the DLAMI's large root volume). */
const MODEL_DIR = '/opt/models';

class HuggingFaceModelSource extends ModelSource {
  public readonly description: string;

  constructor(
    private readonly modelId: string,
    private readonly options: HuggingFaceModelOptions,
  ) {
    super();
    this.description = `huggingface:${modelId}`;
  }

  public bind(role: iam.IGrantable): ModelSourceConfig {
    const secret = this.options.tokenSecret;
    secret?.grantRead(role);
    const localDirectory = `${MODEL_DIR}/huggingface/${this.modelId}`;
    return {
      // A plain directory (no Hub cache symlinks), so that the artifact cache can copy it as it is.
      vllmModelArgument: localDirectory,
      defaultServedModelName: this.modelId,
      fetchCommands: [],
      // Read the token at every start of the server, not once at boot: the secret created with a
      // placeholder gets its real value after deploy, and a restart (30 s after a failed download)
      // then picks it up. The token never lands in user data or on disk.
      startCommands: secret
        ? [
            `HF_TOKEN=$(aws secretsmanager get-secret-value --secret-id '${secret.secretArn}' ` +
              '--query SecretString --output text --region "$AWS_REGION")',
            'export HF_TOKEN',
          ]
        : [],
      environment: [`HF_HOME=${MODEL_DIR}/huggingface/.hub`],
      cachedWeights: {
        cacheName: `huggingface/${this.modelId}`,
        localDirectory,
        // huggingface_hub (in the vLLM venv) reads HF_TOKEN; Meta's repositories also carry the
        // original PyTorch checkpoints under original/, which vLLM does not load.
        downloadCommands: [
          `python -c "from huggingface_hub import snapshot_download; snapshot_download(repo_id='${this.modelId}', ` +
            `local_dir='${localDirectory}', ignore_patterns=['original/*', '*.pth'])"`,
        ],
      },
    };
  }
}

class S3ModelSource extends ModelSource {
  public readonly description: string;

  constructor(
    private readonly bucket: s3.IBucket,
    private readonly prefix: string,
  ) {
    super();
    this.description = `s3://${bucket.bucketName}/${prefix}`;
  }

  public bind(role: iam.IGrantable): ModelSourceConfig {
    // Exactly the prefix: list it, read its objects; not bucket-wide s3:List* as grantRead would give.
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [this.prefix, `${this.prefix}/*`] } },
    });
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${this.prefix}/*`)],
    });
    this.bucket.encryptionKey?.grantDecrypt(role);
    const localDir = `${MODEL_DIR}/${this.prefix.split('/').pop()}`;
    return {
      vllmModelArgument: localDir,
      defaultServedModelName: this.prefix.split('/').pop() as string,
      fetchCommands: [`aws s3 sync 's3://${this.bucket.bucketName}/${this.prefix}/' '${localDir}' --only-show-errors`],
      startCommands: [],
      environment: [],
    };
  }
}
