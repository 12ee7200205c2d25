import type { NitroIsolationProps } from './nitro-isolation-props';

/** Whether and how `DisaggregatedInference` isolates its instances. */
export class Isolation {
  /**
   * Nitro-isolated placement over every instance of the composition ({@link NitroIsolation}):
   * checks always; enclaves, Dedicated Hosts or a volume key as `props` ask.
   */
  public static nitro(props: NitroIsolationProps = {}): Isolation {
    return new Isolation(props);
  }

  /** No isolation aspect: the fleets' own settings (IMDSv2, encrypted volumes, no public address) stay, unchecked. */
  public static none(): Isolation {
    return new Isolation(undefined);
  }

  private constructor(
    /** The Nitro isolation's settings; absent for `Isolation.none()`. */
    public readonly nitroIsolation?: NitroIsolationProps,
  ) {}
}
