/**
 * The Bedrock Runtime operations the invocation layer serves, by the last path segment the official
 * client sends (`/model/{modelId}/<segment>`), and whether the answer is an event stream.
 */
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

  /** Every operation, in the order the API creates them. */
  public static readonly ALL: readonly BedrockOperation[] = [
    BedrockOperation.CONVERSE,
    BedrockOperation.CONVERSE_STREAM,
    BedrockOperation.INVOKE_MODEL,
    BedrockOperation.INVOKE_MODEL_WITH_RESPONSE_STREAM,
    BedrockOperation.COUNT_TOKENS,
  ];

  private constructor(
    /** The operation's name in the Bedrock Runtime API. */
    public readonly name: string,
    /** The last segment of its path. */
    public readonly pathSegment: string,
    /** True when the answer is an `application/vnd.amazon.eventstream` stream. */
    public readonly streaming: boolean,
  ) {}
}
