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
  /**
   * Base URLs (scheme://host:port) of the prefill workers' OpenAI-compatible servers. With
   * `prefillDiscovery`, the load balancer in front of them: the address used when discovery finds none.
   */
  readonly prefillUrls: string[];
  /**
   * Where the deployed router finds the individual prefill hosts behind `prefillUrls`' load balancer,
   * so that it routes to hosts itself (and retries on another one).
   * @default - none: `prefillUrls` are the workers
   */
  readonly prefillDiscovery?: WorkerDiscoveryConfig;
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
  /**
   * Conditional disaggregation: a request whose prompt the chosen decode worker lacks at most this
   * many tokens of skips the prefill workers, and the decode worker computes them itself (the request
   * log says which way each went). `disaggregationThreshold` in lib/planning derives it from the
   * timing rules of the hardware and model; the mock cluster sets that unless told a number.
   * @default 0 (always disaggregate)
   */
  readonly disaggregationThreshold?: number;
}

export interface DecodeRouteConfig {
  /**
   * Base URL (scheme://host:port) of the decode endpoint's OpenAI-compatible server. With
   * `workerUrls` or `discovery`, the address used when there are no individual workers to pick.
   */
  readonly url: string;
  /**
   * Base URLs of the individual decode workers behind the endpoint, when the router picks among
   * them (several local mock decode workers).
   * @default - `url` is the one worker
   */
  readonly workerUrls?: string[];
  /**
   * Where the deployed router finds the individual decode hosts behind `url`'s load balancer.
   * @default - none
   */
  readonly discovery?: WorkerDiscoveryConfig;
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

/**
 * How the deployed router finds the individual hosts of a fleet: the target group its load
 * balancer health-checks them in (`/health`), whose healthy targets are the hosts to use.
 */
export interface WorkerDiscoveryConfig {
  /** ARN of the Elastic Load Balancing (v2) target group. */
  readonly targetGroupArn: string;
  /** Port of the server on every host: a host is `http://<its private IP>:<port>`. */
  readonly port: number;
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
