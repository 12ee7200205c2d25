import { Duration, Token } from 'aws-cdk-lib';

/** How long vLLM on Neuron may take for each slow step before it gives up. */
export interface VllmTimeLimitOptions {
  /**
   * `VLLM_NEURON_COMPILATION_TIMEOUT`: how long the Neuron compilation of the model's graphs may
   * take. The Llama 3.3 70B tutorial raises it to 1,200 s: "cold compilation can exceed the default
   * 600-second budget (typically 15–20 minutes)" (aws-neuron-sdk `vllm-neuron/docs/tutorials/tutorial-llama3-70b.md`).
   * @default Duration.seconds(1200)
   */
  readonly compilationTimeout?: Duration;
  /**
   * `VLLM_EXECUTE_MODEL_TIMEOUT_SECONDS`: how long one model execution may take (the first ones
   * load graphs onto the devices). 1,200 s in the Llama 3.3 70B and the disaggregated-inference tutorials.
   * @default Duration.seconds(1200)
   */
  readonly executeModelTimeout?: Duration;
  /**
   * `VLLM_ENGINE_READY_TIMEOUT_S`: how long the API server waits for the engine (weights loaded,
   * graphs compiled, KV connector up) before it exits; vLLM's default is 600 s. The
   * disaggregated-inference tutorial sets 1,800 s (5,400 s for a 120B model)
   * (`vllm-neuron/docs/tutorials/tutorial-di-1p1d-xpyd.md`).
   * @default Duration.seconds(1800)
   */
  readonly engineReadyTimeout?: Duration;
}

const DEFAULTS = {
  compilationTimeout: Duration.seconds(1200),
  executeModelTimeout: Duration.seconds(1200),
  engineReadyTimeout: Duration.seconds(1800),
};

/** The environment variables the limits map to, in whole seconds. */
const VARIABLES: Record<keyof VllmTimeLimitOptions, string> = {
  compilationTimeout: 'VLLM_NEURON_COMPILATION_TIMEOUT',
  executeModelTimeout: 'VLLM_EXECUTE_MODEL_TIMEOUT_SECONDS',
  engineReadyTimeout: 'VLLM_ENGINE_READY_TIMEOUT_S',
};

/** The limits with their defaults, checked to be whole seconds of at least one; `where` names the fleet in errors. */
export function resolveTimeLimits(options: VllmTimeLimitOptions, where: string): Required<VllmTimeLimitOptions> {
  const names = Object.keys(VARIABLES) as Array<keyof VllmTimeLimitOptions>;
  const limits = Object.fromEntries(names.map((name) => [name, options[name] ?? DEFAULTS[name]])) as Required<VllmTimeLimitOptions>;
  for (const name of names) {
    const limit = limits[name];
    const millis = limit.toMilliseconds();
    if (Token.isUnresolved(millis)) continue;
    if (millis % 1000 !== 0 || millis < 1000) {
      throw new Error(`${where}: ${name} ${limit.toHumanString()} is not a whole number of seconds (${VARIABLES[name]} takes seconds); give e.g. Duration.minutes(20).`);
    }
  }
  return limits;
}

/** `KEY=seconds` lines for the vLLM service's environment. */
export function timeLimitEnvironment(limits: Required<VllmTimeLimitOptions>): string[] {
  return (Object.keys(VARIABLES) as Array<keyof VllmTimeLimitOptions>).map((name) => `${VARIABLES[name]}=${limits[name].toSeconds()}`);
}
