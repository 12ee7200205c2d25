import { getModelSpec, type ModelSpec } from '../../hardware';
import { MockTiming } from '../../mock/mock-cluster';
import { Timing, type TimingModel } from '../../mock/timing';
import { MOCK_WORKER_ENV_VAR, requiredEnv, type MockWorkerConfig } from './environment';

/** A mock worker function's model, served name and timing, from the configuration set at synth. */
export function mockWorkerSettings(env: NodeJS.ProcessEnv = process.env): {
  model: ModelSpec;
  servedModelName: string;
  timing: TimingModel;
} {
  const config = JSON.parse(requiredEnv(MOCK_WORKER_ENV_VAR, env)) as MockWorkerConfig;
  const model = getModelSpec(config.model);
  return {
    model,
    servedModelName: config.servedModelName,
    // As the local mock cluster does: realistic timing on the default prefill type, else none.
    timing: MockTiming.of(config.timing) === MockTiming.REALISTIC ? Timing.realistic(model) : Timing.NONE,
  };
}
