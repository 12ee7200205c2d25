/**
 * Lambda entry point of the router: API Gateway REST proxy events in, Bedrock Runtime answers
 * out. `handler` serves the buffered operations, `streamingHandler` the event-stream ones
 * (API Gateway invokes it with InvokeWithResponseStream). Both wrap the same gateway core.
 */
import { fromApiGatewayEvent } from './events';
import { bufferedHandler, lambdaRuntime, streamingHandler as streamed } from './lambda-http';
import { routerCore } from './router-core';

export const handler = bufferedHandler(fromApiGatewayEvent, routerCore);

export const streamingHandler = lambdaRuntime().streamifyResponse(streamed(fromApiGatewayEvent, routerCore));
