/**
 * Lambda entry point of mock mode's prefill worker, behind a function URL. The worker core of
 * `lib/mock` runs unchanged; it answers `/tokenize` (CountTokens) and prefill requests. Without a
 * KV endpoint (functions take no inbound connections) its answers name no KV location, which is
 * why mock mode's decode runs in prompt replay.
 */
import { createPrefillWorker } from '../../mock/prefill-worker';
import { fromFunctionUrlEvent } from './events';
import { lambdaRuntime, streamingHandler } from './lambda-http';
import { mockWorkerSettings } from './mock-worker-config';

const worker = createPrefillWorker(mockWorkerSettings());

export const handler = lambdaRuntime().streamifyResponse(streamingHandler(fromFunctionUrlEvent, async () => worker.handle));
