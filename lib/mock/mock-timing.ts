import { DEFAULT_PREFILL_INSTANCE_TYPE, type ModelSpec } from '../hardware';
import { DecodeTier, timingOf } from '../planning/serving-config';
import { NO_TIMING, ServingTiming } from '../planning/timing/serving-timing';

/** How the mock workers spend time. */
export class MockTiming {
  /** No simulated time: answers as fast as the host allows (tests, the benchmark). */
  public static readonly NONE = new MockTiming('none');
  /**
   * The planner's calibrated timing rules: prefill on a Trainium instance type, the KV hand-off over
   * its EFA, decode at the CS-3's published speed (the mock decode worker plays the CS-3) or, given a
   * decode instance type, as a Trainium decode fleet.
   */
  public static readonly REALISTIC = new MockTiming('realistic');

  public static of(name: string): MockTiming {
    const found = [MockTiming.NONE, MockTiming.REALISTIC].find((t) => t.name === name);
    if (!found) throw new Error(`Unknown timing '${name}': use 'none' or 'realistic'.`);
    return found;
  }

  private constructor(public readonly name: string) {}

  /**
   * The stage times this choice gives a model (realistic: prefill on `prefillInstanceType`, default
   * trn2.48xlarge, all its cores; decode on `decode`, default a CS-3).
   */
  public timingFor(model: ModelSpec, prefillInstanceType = DEFAULT_PREFILL_INSTANCE_TYPE, decode: DecodeTier = DecodeTier.cs3()): ServingTiming {
    if (this !== MockTiming.REALISTIC) return NO_TIMING;
    return timingOf({ model, prefill: { instanceType: prefillInstanceType }, decode });
  }
}
