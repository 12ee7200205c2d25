import type { ModelSpec } from '../hardware';
import { Timing, TimingModel } from './timing';

/** How the mock workers spend time. */
export class MockTiming {
  /** No simulated time: answers as fast as the host allows (tests, the benchmark). */
  public static readonly NONE = new MockTiming('none');
  /** Stage times from the hardware catalog and the model's shape (see `Timing.realistic`). */
  public static readonly REALISTIC = new MockTiming('realistic');

  public static of(name: string): MockTiming {
    const found = [MockTiming.NONE, MockTiming.REALISTIC].find((t) => t.name === name);
    if (!found) throw new Error(`Unknown timing '${name}': use 'none' or 'realistic'.`);
    return found;
  }

  private constructor(public readonly name: string) {}

  /** The stage times this choice gives a model (realistic: on `prefillInstanceType`, default trn2.48xlarge). */
  public timingFor(model: ModelSpec, prefillInstanceType?: string): TimingModel {
    return this === MockTiming.REALISTIC ? Timing.realistic(model, prefillInstanceType) : Timing.NONE;
  }
}
