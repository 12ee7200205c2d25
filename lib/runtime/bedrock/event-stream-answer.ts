import { type GatewayResponse, stoppedByServer } from '../http/http-types';
import { managedStream } from '../http/managed-stream';
import type { Delta, Generation, GenerationEnd } from '../routing/generation';
import { BedrockError, BedrockErrorType, serverStoppingError, toBedrockError } from './errors';
import { EVENT_STREAM_CONTENT_TYPE, exceptionFrame } from './event-stream';
import type { OperationContext } from './operation-context';

/** How a streaming operation frames a generation: what goes before, with and after the output. */
export interface EventStreamFrames {
  /** Frames before the first output. */
  start(): Uint8Array[];
  /** The frame of one delta (the tokens of one network read). */
  delta(delta: Delta): Uint8Array;
  /** Frames after the last output, once the generation says how it ended. */
  end(end: GenerationEnd): Uint8Array[];
}

/**
 * The answer of both streaming operations (ConverseStream, InvokeModelWithResponseStream): an
 * event stream of the operation's frames. The first output token is already in hand (earlier
 * failures were plain error answers); failures from here on become one in-stream exception frame
 * (the server stopping the request too: a ServiceUnavailableException, not a truncated stream).
 * However the stream ends, the generation is closed and the request settled, once.
 */
export function eventStreamAnswer(
  context: OperationContext,
  generation: Generation,
  frames: EventStreamFrames,
  extraHeaders: Readonly<Record<string, string>> = {},
): GatewayResponse {
  const { trace } = context;
  const signal = context.request.signal;
  const produce = async function* () {
    yield* frames.start();
    try {
      let next = await generation.deltas.next();
      while (!next.done) {
        yield frames.delta(next.value);
        next = await generation.deltas.next();
      }
      trace.end = next.value;
      yield* frames.end(next.value);
    } catch (error) {
      const stopped = stoppedByServer(signal);
      if (signal.aborted && !stopped) return; // the client left: nobody to tell
      trace.error = stopped ? serverStoppingError() : new BedrockError(BedrockErrorType.MODEL_STREAM_ERROR, toBedrockError(error).message);
      yield exceptionFrame(trace.error);
    }
  };
  const onClose = async () => {
    await generation.close();
    context.settle();
  };
  return {
    status: 200,
    headers: { ...context.headers, 'content-type': EVENT_STREAM_CONTENT_TYPE, ...extraHeaders },
    body: managedStream(produce, onClose, signal),
  };
}
