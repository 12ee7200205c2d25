/**
 * Faults a mock worker can be told to show, for people testing their error handling.
 * Each maps to a documented outcome at the gateway (see the README's "Local mock mode").
 */
export interface PrefillFaults {
  /**
   * The worker dies on every request: the connection drops with no answer.
   * @default false
   */
  readonly crash?: boolean;
  /**
   * Extra time before every answer, in ms (a slow worker).
   * @default 0
   */
  readonly delayMs?: number;
}

export interface DecodeFaults {
  /**
   * The stream breaks (connection dropped) after this many output tokens.
   * @default never
   */
  readonly breakAfterTokens?: number;
  /**
   * Extra time before the first output token, in ms (a slow worker).
   * @default 0
   */
  readonly delayMs?: number;
  /**
   * Tool calls come out with their arguments' JSON cut short (a model emitting malformed tool JSON).
   * @default false
   */
  readonly malformedToolCalls?: boolean;
}

/** Faults to inject into a whole mock pipeline (`startMockWorkers`, `startMockCluster`), for testing how clients handle them. */
export interface MockFaults {
  /** This many prefill workers (the first ones) crash on every request. @default 0 */
  readonly crashedPrefillWorkers?: number;
  /** KV lease on the prefill workers, in ms; 0 expires every lease before the decode pulls it. @default 30000 */
  readonly kvLeaseMs?: number;
  /** Every KV transfer breaks halfway (the prefill workers' KV servers drop the connection mid-blob). @default false */
  readonly kvTransferBreaks?: boolean;
  /** Extra time every prefill answer takes, in ms (slow workers). @default 0 */
  readonly prefillDelayMs?: number;
  /** Extra time before the decode's first token, in ms (a slow decode). @default 0 */
  readonly decodeDelayMs?: number;
  /** The decode stream breaks after this many output tokens. @default never */
  readonly decodeBreakAfterTokens?: number;
  /** The decode worker's tool calls carry malformed JSON arguments. @default false */
  readonly malformedToolCalls?: boolean;
}
