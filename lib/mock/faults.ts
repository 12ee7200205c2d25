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
}
