// Every subpath export resolves to its declarations in the module resolution of the tsconfig in use
// (`exports` under NodeNext, `typesVersions` under node10).
import type { DisaggregatedInference } from 'cdk-disaggregated-inference';
import type * as runtime from 'cdk-disaggregated-inference/runtime';
import type { startMockCluster } from 'cdk-disaggregated-inference/mock';
import type { normalizeTemplate } from 'cdk-disaggregated-inference/testing';

export type SubpathExports = [typeof DisaggregatedInference, typeof runtime, typeof startMockCluster, typeof normalizeTemplate];
