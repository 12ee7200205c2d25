/**
 * The model registry: what the gateway serves and where each model's stages run.
 *
 * This is plain JSON on purpose. The local mock CLI builds it from its flags; the deployed
 * invocation layer derives it from the CDK constructs at synth and hands it to the router
 * function as configuration. Both feed the same router, so one shape serves both.
 */
export interface RegistryConfig {
  readonly models: ModelRouteConfig[];
}

export interface ModelRouteConfig {
  /**
   * Every id a client may use for this model: foundation-model ids, inference-profile ids
   * (`us.`, `eu.`, `global.` prefixes) and ARNs. Matched after URL-decoding the path segment.
   */
  readonly modelIds: string[];
  /** Base URLs (scheme://host:port) of the prefill workers' OpenAI-compatible servers. */
  readonly prefillUrls: string[];
  /** The model name the prefill workers serve (the `model` field of their requests). */
  readonly prefillModel: string;
  /** The model's standard latency tier: where Bedrock's `performanceConfig.latency: 'standard'` (the default) decodes. */
  readonly decode: DecodeRouteConfig;
  /**
   * The model's optimized latency tier (a CS-3), picked by `performanceConfig.latency: 'optimized'`.
   * The router falls back to `decode` when it is absent, throttled (429) or unhealthy (it failed
   * recently and sits out a cool-down, as a prefill worker does), as Bedrock does; the answer
   * names the tier that served.
   */
  readonly optimizedDecode?: DecodeRouteConfig;
  /** Tokens of prompt plus output the model accepts. */
  readonly contextWindow: number;
  /** Largest `maxTokens` a request may ask for. */
  readonly maxOutputTokens: number;
  /** Per-stage time limits in milliseconds. Defaults live in the router. */
  readonly timeouts?: StageTimeoutsConfig;
}

export interface DecodeRouteConfig {
  /** Base URL (scheme://host:port) of the decode endpoint's OpenAI-compatible server. */
  readonly url: string;
  /** The model name the decode endpoint serves. */
  readonly model: string;
  /**
   * True when the endpoint pulls KV blocks from the prefill worker (vLLM NIXL consumer);
   * false when it needs the whole prompt again ("prompt replay").
   */
  readonly canIngestKv: boolean;
  /**
   * Where the decode endpoint's API key comes from, if it needs one: an environment variable
   * name (local) or a Secrets Manager secret ARN (deployed). Never the key itself.
   */
  readonly apiKey?: { readonly envVar?: string; readonly secretArn?: string };
  /**
   * Most stop sequences a request may give, when the endpoint declares a limit: an OpenAI-style API
   * may take only a few (Cerebras: "Up to 4 sequences", inference-docs.cerebras.ai/api-reference/chat-completions);
   * vLLM has none. Without one only the gateway's sanity bound applies.
   */
  readonly maxStopSequences?: number;
}

export interface StageTimeoutsConfig {
  readonly prefillMs?: number;
  /** Until the first decoded token. */
  readonly firstTokenMs?: number;
  /** Longest silence between two decoded tokens. */
  readonly interTokenMs?: number;
  /** Whole request. */
  readonly totalMs?: number;
}
