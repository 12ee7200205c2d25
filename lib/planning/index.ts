/**
 * `/planning`: the timing rules of the disaggregated pipeline (calibrated against published
 * figures), the serving engines that apply them under load, and the planner that simulates a
 * fleet over them. The mock workers' realistic timing uses the same rules and engines.
 *
 * TypeScript-only, like `/runtime` and `/mock`: no aws-cdk-lib, no constructs.
 */
export * from './engines/clock';
export * from './engines/decode-batch';
export * from './engines/prefill-queue';
export * from './timing/calibration';
export * from './timing/cs3-endpoint';
export * from './timing/disaggregation-threshold';
export * from './timing/model-arithmetic';
export * from './timing/published-figures';
export * from './timing/serving-engine';
export * from './timing/serving-timing';
export * from './timing/trainium-replica';
export * from './serving-config';
export * from './simulation/random';
export * from './simulation/simulate';
export * from './simulation/virtual-clock';
export * from './simulation/workload';
export * from './planner/cost';
export * from './planner/curves';
export * from './planner/planner';
export * from './planner/slo';
export * from './report/html-report';
export * from './report/plan-report';
export * from './report/svg-chart';
export * from './report/calibration-table';
