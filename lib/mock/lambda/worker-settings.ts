import { getModelSpec, type ModelSpec } from '../../hardware';
import { requiredEnv } from '../../runtime/lambda/environment';
import { MockTiming } from '../mock-timing';
import type { ServingTiming } from '../../planning/timing/serving-timing';
import { MOCK_WORKER_ENV_VAR, type MockWorkerConfig } from './worker-environment';

/** A mock worker function's model, served name and timing, from the configuration set at synth. */
export function mockWorkerSettings(env: NodeJS.ProcessEnv = process.env): {
  model: ModelSpec;
  servedModelName: string;
  timing: ServingTiming;
} {
  const config = JSON.parse(requiredEnv(MOCK_WORKER_ENV_VAR, env)) as MockWorkerConfig;
  const model = getModelSpec(config.model);
  return {
    model,
    servedModelName: config.servedModelName,
    // Realistic timing on the default prefill type, as the local mock cluster without --prefill-instance-type.
    timing: MockTiming.of(config.timing).timingFor(model),
  };
}
