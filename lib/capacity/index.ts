export * from './capacity-plan';
export * from './inference-workload';
