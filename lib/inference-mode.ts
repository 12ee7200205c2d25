import type { MockInferenceWorkersProps } from './invocation';

/**
 * What runs behind the API of a {@link DisaggregatedInference}: Trainium and a decode endpoint
 * (the product), or the mock workers of `lib/mock` in Lambda functions (to exercise the same API in
 * any account, for pennies).
 */
export class InferenceMode {
  /** An EFA network, a Trainium prefill fleet and a decode endpoint. */
  public static readonly TRAINIUM = new InferenceMode('trainium');

  /**
   * The mock prefill and decode workers as Lambda functions: no network, no EC2, no Trainium,
   * no CS-3. The composition's `network`, `prefill`, `decode`, `model` and `isolation` settings
   * do not apply.
   */
  public static mock(props: MockInferenceWorkersProps = {}): InferenceMode {
    return new InferenceMode('mock', props);
  }

  private constructor(
    /** `trainium` or `mock`, for messages. */
    public readonly name: string,
    /** The mock workers' settings, in mock mode. */
    public readonly mockWorkers?: MockInferenceWorkersProps,
  ) {}

  /** True for the mock mode. */
  public get isMock(): boolean {
    return this.mockWorkers !== undefined;
  }
}
