import { normalDraw } from './random';

/** Token lengths of prompts or answers: fixed, or drawn from a distribution (always at least 1). */
export class LengthDistribution {
  public static fixed(tokens: number): LengthDistribution {
    positive(tokens, 'a fixed length');
    return new LengthDistribution(`${tokens}`, tokens, () => tokens);
  }

  /** Uniform over [min, max]. */
  public static uniform(min: number, max: number): LengthDistribution {
    positive(min, 'the minimum');
    if (!(max >= min)) throw new Error(`A uniform length needs max >= min; got ${min} to ${max}.`);
    return new LengthDistribution(`uniform:${min}:${max}`, (min + max) / 2, (random) => min + random() * (max - min));
  }

  /** Normal with a mean and standard deviation (truncated at 1 token). */
  public static normal(mean: number, deviation: number): LengthDistribution {
    positive(mean, 'the mean');
    if (!(deviation >= 0)) throw new Error(`A normal length needs a standard deviation >= 0; got ${deviation}.`);
    return new LengthDistribution(`normal:${mean}:${deviation}`, mean, (random) => mean + deviation * normalDraw(random));
  }

  /** Log-normal with a median and the standard deviation of its logarithm (long tails, as agents' prompts have). */
  public static lognormal(median: number, sigma: number): LengthDistribution {
    positive(median, 'the median');
    if (!(sigma >= 0)) throw new Error(`A log-normal length needs sigma >= 0; got ${sigma}.`);
    return new LengthDistribution(`lognormal:${median}:${sigma}`, median * Math.exp((sigma * sigma) / 2), (random) => median * Math.exp(sigma * normalDraw(random)));
  }

  /**
   * Parses `N`, `uniform:MIN:MAX`, `normal:MEAN:SD` or `lognormal:MEDIAN:SIGMA` (the planner's flags).
   * @throws naming the text and the forms accepted
   */
  public static parse(text: string): LengthDistribution {
    const [kind, ...rest] = text.trim().split(':');
    const numbers = rest.map(Number);
    const form = `'${text}': use N, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEDIAN:SIGMA`;
    if (numbers.some((n) => !Number.isFinite(n))) throw new Error(`Not a length distribution ${form}.`);
    if (rest.length === 0 && Number.isFinite(Number(kind))) return LengthDistribution.fixed(Number(kind));
    if (kind === 'uniform' && numbers.length === 2) return LengthDistribution.uniform(numbers[0], numbers[1]);
    if (kind === 'normal' && numbers.length === 2) return LengthDistribution.normal(numbers[0], numbers[1]);
    if (kind === 'lognormal' && numbers.length === 2) return LengthDistribution.lognormal(numbers[0], numbers[1]);
    throw new Error(`Not a length distribution ${form}.`);
  }

  private constructor(
    /** The form `parse` reads back. */
    private readonly text: string,
    /** The mean length, in tokens. */
    public readonly mean: number,
    private readonly draw: (random: () => number) => number,
  ) {}

  /** One length, a whole number of tokens, at least 1. */
  public sample(random: () => number): number {
    return Math.max(1, Math.round(this.draw(random)));
  }

  public toString(): string {
    return this.text;
  }
}

function positive(value: number, what: string): void {
  if (!(Number.isFinite(value) && value >= 1)) throw new Error(`A length distribution needs ${what} to be at least 1 token; got ${value}.`);
}

/** The traffic a fleet must serve. */
export interface Workload {
  /** Mean arrival rate; arrivals are a Poisson process. */
  readonly requestsPerSecond: number;
  readonly inputTokens: LengthDistribution;
  readonly outputTokens: LengthDistribution;
  /**
   * Share of each prompt's tokens already in the prefix cache of the worker that computes it:
   * those are not computed again (the rest is, attending over the whole prompt). @default 0
   */
  readonly prefixCacheHitRate?: number;
  /**
   * Requests the clients keep in flight at most (as LLMPerf's concurrent requests): one that arrives
   * beyond it waits for a slot, and its time to first token counts from its arrival. @default no limit
   */
  readonly concurrency?: number;
}

/** @throws for a workload no simulation can run, naming the field and the fix */
export function validateWorkload(workload: Workload): void {
  if (!(Number.isFinite(workload.requestsPerSecond) && workload.requestsPerSecond > 0)) {
    throw new Error(`requestsPerSecond must be a positive number; got ${workload.requestsPerSecond}.`);
  }
  const hit = workload.prefixCacheHitRate ?? 0;
  if (!(hit >= 0 && hit < 1)) throw new Error(`prefixCacheHitRate must be at least 0 and below 1; got ${hit}.`);
  const concurrency = workload.concurrency;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new Error(`concurrency must be a positive integer; got ${concurrency}.`);
  }
}
