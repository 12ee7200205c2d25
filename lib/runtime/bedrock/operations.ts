import { BedrockError, BedrockErrorType, validationError } from './errors';

/** The Bedrock Runtime operations this gateway serves, by the last path segment the client sends. */
export class BedrockOperation {
  public static readonly CONVERSE = new BedrockOperation('Converse', 'converse', false);
  public static readonly CONVERSE_STREAM = new BedrockOperation('ConverseStream', 'converse-stream', true);
  public static readonly INVOKE_MODEL = new BedrockOperation('InvokeModel', 'invoke', false);
  public static readonly INVOKE_MODEL_WITH_RESPONSE_STREAM = new BedrockOperation(
    'InvokeModelWithResponseStream',
    'invoke-with-response-stream',
    true,
  );
  public static readonly COUNT_TOKENS = new BedrockOperation('CountTokens', 'count-tokens', false);

  public static readonly ALL = [
    BedrockOperation.CONVERSE,
    BedrockOperation.CONVERSE_STREAM,
    BedrockOperation.INVOKE_MODEL,
    BedrockOperation.INVOKE_MODEL_WITH_RESPONSE_STREAM,
    BedrockOperation.COUNT_TOKENS,
  ];

  private constructor(
    /** The API name, as logged and as the SDK's command is called (without `Command`). */
    public readonly name: string,
    /** The path suffix: `POST /model/{modelId}/<pathSuffix>`. */
    public readonly pathSuffix: string,
    /** Whether the answer is an event stream. */
    public readonly streaming: boolean,
  ) {}
}

export interface ParsedPath {
  readonly operation: BedrockOperation;
  /** The model id, URL-decoded (ARNs arrive with `%2F`, profile ids with `%3A`). */
  readonly modelId: string;
}

const PATH = /^\/model\/([^/]+)\/([a-z-]+)$/;

/** Reads `POST /model/{modelId}/{operation}`; an unknown route is an UnknownOperationException. */
export function parsePath(method: string, path: string): ParsedPath {
  const match = PATH.exec(path);
  const operation = match && BedrockOperation.ALL.find((op) => op.pathSuffix === match[2]);
  if (!match || !operation || method.toUpperCase() !== 'POST') {
    throw new BedrockError(
      BedrockErrorType.UNKNOWN_OPERATION,
      `${method.slice(0, 20)} ${path.slice(0, 200)} is not an operation of this endpoint; use POST /model/{modelId}/` +
        `{${BedrockOperation.ALL.map((op) => op.pathSuffix).join('|')}}.`,
    );
  }
  let modelId: string;
  try {
    modelId = decodeURIComponent(match[1]);
  } catch {
    throw validationError(`The model id in ${path} is not valid URL encoding.`);
  }
  return { operation, modelId };
}
