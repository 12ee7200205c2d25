/**
 * A streamed response body whose clean-up runs exactly once however the stream ends: read to
 * the end, broken off by the adapter (`return()`), or never read at all because the client
 * left first (a generator that never started would skip its `finally`).
 */
export function managedStream(
  produce: () => AsyncGenerator<Uint8Array>,
  onClose: () => Promise<void> | void,
  signal: AbortSignal,
): AsyncIterable<Uint8Array> {
  let closed = false;
  let started = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    signal.removeEventListener('abort', onAbort);
    await onClose();
  };
  const onAbort = () => {
    if (!started) void close();
  };
  signal.addEventListener('abort', onAbort);
  return {
    [Symbol.asyncIterator]() {
      return (async function* run() {
        started = true;
        try {
          yield* produce();
        } finally {
          await close();
        }
      })();
    },
  };
}
