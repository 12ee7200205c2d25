import type { InvocationOptions } from './invocation-options';

/** Whether `DisaggregatedInference` puts an API in front of prefill and decode, and with which settings. */
export class InvocationApi {
  /**
   * The IAM-authenticated, Bedrock Runtime-compatible API ({@link BedrockInvocationLayer}); in a
   * network, its router runs in the network's VPC.
   */
  public static bedrockRuntime(options: InvocationOptions = {}): InvocationApi {
    return new InvocationApi(options);
  }

  /** No API: the tiers alone, for a front end of your own. */
  public static none(): InvocationApi {
    return new InvocationApi(undefined);
  }

  private constructor(
    /** The API's settings; absent for `InvocationApi.none()`. */
    public readonly options?: InvocationOptions,
  ) {}
}
