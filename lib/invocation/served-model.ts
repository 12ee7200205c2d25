import type { Duration } from 'aws-cdk-lib';

/** Per-stage time limits of the router. Each unset limit keeps the router's default. */
export interface StageTimeouts {
  /**
   * Longest the prefill stage may take.
   * @default - the router's default (30 seconds)
   */
  readonly prefill?: Duration;
  /**
   * Longest until the first decoded token.
   * @default - the router's default (30 seconds)
   */
  readonly firstToken?: Duration;
  /**
   * Longest silence between two decoded tokens.
   * @default - the router's default (15 seconds)
   */
  readonly interToken?: Duration;
  /**
   * Longest a whole request may take. The router functions cap it below their own timeout.
   * @default - the router's default (300 seconds), within the function's timeout
   */
  readonly total?: Duration;
}

/** What the invocation layer serves: the model, the ids clients call it by, its limits. */
export interface ServedModelOptions {
  /**
   * The model, by any name the model catalog knows (catalog name, Hugging Face id or Bedrock id).
   * Supplies the ids, the context window and the output limit unless those are given below.
   *
   * @default - the prefill tier's served model name (without one, the decode tier's), looked up in the catalog
   */
  readonly model?: string;
  /**
   * The ids clients call the model by (foundation-model and inference-profile ids, ARNs).
   *
   * @default - the catalog's Bedrock ids for the model and its foundation-model ARN in the stack's region
   */
  readonly modelIds?: string[];
  /**
   * Prompt plus output tokens the model accepts.
   *
   * @default - the catalog's context window for the model, or the prefill or decode servers'
   * `maxModelLength` where that is smaller
   */
  readonly contextWindow?: number;
  /**
   * Largest `maxTokens` a request may ask for.
   *
   * @default - the catalog's output limit for the model
   */
  readonly maxOutputTokens?: number;
  /**
   * Per-stage time limits of the router.
   *
   * @default - the router's defaults
   */
  readonly timeouts?: StageTimeouts;
  /**
   * Conditional disaggregation: a request whose prompt the chosen decode worker lacks at most this
   * many tokens of (its cache holds the conversation's last turn) skips the prefill tier, and the
   * decode worker computes the rest itself; each request's log line says which way it went. Only a
   * decode tier that pulls KV takes such requests. `disaggregationThreshold` in the `/planning`
   * subpath derives a threshold from the timing rules of the prefill and decode hardware: about
   * 1,500 tokens for Llama 3.3 70B on trn2.48xlarge prefill and decode fleets, 0 with a CS-3.
   *
   * @default 0 - every request is prefilled on the prefill tier
   */
  readonly disaggregationThreshold?: number;
}
