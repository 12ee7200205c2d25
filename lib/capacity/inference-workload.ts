import type { Duration } from 'aws-cdk-lib';

/** Token lengths of prompts or answers, for a capacity plan. Use the static factories. */
export class TokenLengths {
  /** Every prompt (or answer) this many tokens. */
  public static exactly(tokens: number): TokenLengths {
    return new TokenLengths(`${tokens}`);
  }

  /** Uniform between `min` and `max` tokens. */
  public static uniform(min: number, max: number): TokenLengths {
    return new TokenLengths(`uniform:${min}:${max}`);
  }

  /** Log-normal with a median and the standard deviation of its logarithm (long tails, as agents' prompts have). */
  public static lognormal(median: number, sigma: number): TokenLengths {
    return new TokenLengths(`lognormal:${median}:${sigma}`);
  }

  private constructor(
    /** The planner's form of the lengths (as its `--input-tokens` flag takes them). */
    public readonly spec: string,
  ) {}
}

/** The traffic a deployment is sized for. */
export interface InferenceWorkload {
  /** Mean arrival rate (arrivals are taken as a Poisson process). */
  readonly requestsPerSecond: number;
  /**
   * Prompt lengths.
   * @default TokenLengths.exactly(2000)
   */
  readonly inputTokens?: TokenLengths;
  /**
   * Answer lengths.
   * @default TokenLengths.exactly(500)
   */
  readonly outputTokens?: TokenLengths;
  /**
   * Share of each prompt already in the prefix cache of the worker that computes it (0 to below 1).
   * @default 0
   */
  readonly prefixCacheHitRate?: number;
  /**
   * Requests the clients keep in flight at most; beyond it a request waits, and its wait counts in its time to first token.
   * @default - no limit
   */
  readonly concurrency?: number;
}

/** Latency targets a deployment must meet; at least one of the two. */
export interface ServiceLevelObjective {
  /**
   * Time to first token at `timeToFirstTokenPercentile`.
   * @default - no time-to-first-token target
   */
  readonly timeToFirstToken?: Duration;
  /**
   * The percentile the time-to-first-token target applies to.
   * @default 90
   */
  readonly timeToFirstTokenPercentile?: number;
  /**
   * Time per output token (after the first) at `timePerOutputTokenPercentile`.
   * @default - no time-per-output-token target
   */
  readonly timePerOutputToken?: Duration;
  /**
   * The percentile the time-per-output-token target applies to.
   * @default 90
   */
  readonly timePerOutputTokenPercentile?: number;
}
