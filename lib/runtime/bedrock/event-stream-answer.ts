import { type GatewayResponse, stoppedByServer } from '../http/http-types';
import { managedStream } from '../http/managed-stream';
import type { Delta, Generation, GenerationEnd } from '../routing/generation';
import { BedrockError, BedrockErrorType, serverStoppingError, toBedrockError } from './errors';
import type { OperationContext } from './operation-context';

/** How a streaming operation frames a generation: what goes before, with and after the output. */
export interface StreamFrames {
  /** Bytes before the first output. */
  start(): Uint8Array[];
  /** The bytes of one delta (one chunk of the decode stream, or several when the client fell behind); none for a delta it leaves out. */
  delta(delta: Delta): Uint8Array | undefined;
  /** Bytes after the last output, once the generation says how it ended. */
  end(end: GenerationEnd): Uint8Array[];
  /** The bytes that end a stream that broke after it began. */
  failure(error: BedrockError): Uint8Array;
}

/**
 * A streamed answer (ConverseStream, InvokeModelWithResponseStream, a streamed chat completion):
 * the frames of a generation whose first output is already in hand (earlier failures were plain
 * error answers); failures from here on become the frames' in-stream failure (the server stopping
 * the request too: a ServiceUnavailableException the client raises, not a stream that looks
 * finished). However the stream ends, the generation is closed and the request settled, once.
 */
export function streamedAnswer(
  context: OperationContext,
  generation: Generation,
  frames: StreamFrames,
  headers: Readonly<Record<string, string>>,
): GatewayResponse {
  const { trace } = context;
  const signal = context.request.signal;
  const produce = async function* () {
    yield* frames.start();
    try {
      let next = await generation.deltas.next();
      while (!next.done) {
        // One event per delta, in one piece of the body per batch: the adapters' per-chunk work
        // (an await, a write) happens per network read, not per token.
        const batch: Uint8Array[] = [];
        for (const delta of next.value) {
          const bytes = frames.delta(delta);
          if (bytes) batch.push(bytes);
        }
        if (batch.length > 0) yield batch.length === 1 ? batch[0] : Buffer.concat(batch);
        next = await generation.deltas.next();
      }
      trace.end = next.value;
      yield* frames.end(next.value);
    } catch (error) {
      const stopped = stoppedByServer(signal);
      if (signal.aborted && !stopped) return; // the client left: nobody to tell
      const cause = toBedrockError(error);
      trace.error = stopped ? serverStoppingError() : new BedrockError(BedrockErrorType.MODEL_STREAM_ERROR, cause.message, cause.detail);
      yield frames.failure(trace.error);
    }
  };
  const onClose = async () => {
    await generation.close();
    context.settle();
  };
  return { status: 200, headers: { ...context.headers, ...headers }, body: managedStream(produce, onClose, signal) };
}
