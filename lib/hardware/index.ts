// Hardware and model catalog: pure data and functions, no AWS CDK, shared by the constructs and the mock.
export * from './accelerators';
export * from './efa-support';
export * from './instance-types';
export * from './efa-layout';
export * from './disaggregated-pair';
export * from './models';
export * from './nitro';
export * from './prices';
