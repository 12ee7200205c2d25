/**
 * Lambda entry point of mock mode's prefill worker, behind a function URL. The worker core of
 * `lib/mock` runs unchanged; it answers `/tokenize` (CountTokens) and prefill requests. Without a
 * KV endpoint (functions take no inbound connections) its answers name no KV location, which is
 * why mock mode's decode runs in prompt replay.
 */
import { createPrefillWorker } from '../prefill-worker';
import { fromFunctionUrlEvent } from '../../runtime/lambda/events';
import { lambdaRuntime, streamingHandler } from '../../runtime/lambda/lambda-http';
import { mockWorkerSettings } from './worker-settings';

const worker = createPrefillWorker(mockWorkerSettings());

export const handler = lambdaRuntime().streamifyResponse(streamingHandler(fromFunctionUrlEvent, async () => worker.handle));
