/**
 * The routes of the OpenAI-compatible path, as Bedrock Runtime has one: under `/openai/v1`, the
 * base URL the `openai` client takes. The gateway answers them; the deployed API has a method for each.
 */
export class OpenAiRoute {
  /** `POST /chat/completions`: streamed (`stream: true`) or whole, so served by the streaming function. */
  public static readonly CHAT_COMPLETIONS = new OpenAiRoute('ChatCompletions', 'POST', ['chat', 'completions'], true);
  /** `GET /models`: the ids the gateway serves. */
  public static readonly LIST_MODELS = new OpenAiRoute('ListModels', 'GET', ['models'], false);
  /** `GET /models/{modelId}`: one of them. */
  public static readonly RETRIEVE_MODEL = new OpenAiRoute('RetrieveModel', 'GET', ['models', '{modelId}'], false);

  public static readonly ALL = [OpenAiRoute.CHAT_COMPLETIONS, OpenAiRoute.LIST_MODELS, OpenAiRoute.RETRIEVE_MODEL];

  /** The path every route is under. */
  public static readonly PREFIX = '/openai/v1';

  private constructor(
    /** The operation name, as logged. */
    public readonly name: string,
    public readonly method: string,
    /** The path's segments after the prefix; `{modelId}` is a parameter. */
    public readonly segments: string[],
    /** Whether the answer may be a stream. */
    public readonly streaming: boolean,
  ) {}
}
