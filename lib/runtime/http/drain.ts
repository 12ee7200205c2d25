import type { Writable } from 'node:stream';

/**
 * Waits until a writable whose buffer is full drains or closes, leaving no listener behind (a race
 * of two `once`s leaves the loser's). With `stallMs`, gives up after that long and says `stalled`:
 * the reader stopped reading. Call it at the write that filled the buffer: by the next write the
 * drain may be over.
 */
export function drainOrClose(stream: Writable, stallMs?: number): Promise<'drained' | 'stalled'> {
  return new Promise((resolve) => {
    const stall = stallMs === undefined ? undefined : setTimeout(() => done('stalled'), stallMs);
    const onDrain = () => done('drained');
    function done(outcome: 'drained' | 'stalled') {
      clearTimeout(stall);
      stream.off('drain', onDrain);
      stream.off('close', onDrain);
      resolve(outcome);
    }
    stream.on('drain', onDrain);
    stream.on('close', onDrain);
  });
}
