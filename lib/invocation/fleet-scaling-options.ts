import type { Duration } from 'aws-cdk-lib';

/** What every tier's scaling policy takes beside its own load target. */
export interface FleetScalingOptions {
  /**
   * How long a new host takes from launch to serving: boot, weight download, loading the compiled
   * Neuron artifacts. The scaling policy waits this long before counting a new host, so it does not
   * launch a second wave while the first is still loading the model. (The fleet's health-check grace
   * period is longer, an outer bound that covers a first-time compilation.)
   *
   * @default Duration.minutes(30)
   */
  readonly modelLoadTime?: Duration;
  /**
   * Never scale in on this metric (scale-in then happens only by hand or schedule); for groups
   * whose hosts are too costly to reload.
   *
   * @default false
   */
  readonly disableScaleIn?: boolean;
}
