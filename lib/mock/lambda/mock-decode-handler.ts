/**
 * Lambda entry point of mock mode's decode worker, behind a streaming function URL: the decode
 * core of `lib/mock` streams its server-sent events through the Lambda response stream. It has no
 * KV source, so it serves prompt replay, as a CS-3 behind a public API would.
 */
import { createDecodeWorker } from '../decode-worker';
import { fromFunctionUrlEvent } from '../../runtime/lambda/events';
import { lambdaRuntime, streamingHandler } from '../../runtime/lambda/lambda-http';
import { mockWorkerSettings } from './worker-settings';

const worker = createDecodeWorker(mockWorkerSettings());

export const handler = lambdaRuntime().streamifyResponse(streamingHandler(fromFunctionUrlEvent, async () => worker.handle));
