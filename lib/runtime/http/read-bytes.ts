import { Readable } from 'node:stream';

export interface ReadBytesOptions {
  /** Bytes kept; past this the rest is read and discarded (the caller sees `keep + 1` and can refuse). @default unlimited */
  readonly keep?: number;
  /** Bytes read before giving up on the stream: `onTooLong` runs and what was kept is returned. @default unlimited */
  readonly readAtMost?: number;
  readonly onTooLong?: () => void;
  /** Abandons the read when it aborts (it rejects with the signal's reason): for a reader that stops waiting on a stream that may never end. */
  readonly signal?: AbortSignal;
  /** Asked before each piece is kept, with its size; false abandons the read, which rejects with a ReadRefused. @default every piece admitted */
  readonly admit?: (bytes: number) => boolean;
}

/** The rejection of a read whose `admit` refused a piece. */
export class ReadRefused extends Error {
  constructor() {
    super('the read was refused more bytes');
    this.name = 'ReadRefused';
  }
}

/**
 * Reads a node stream to its end with 'data' events: a request or response body, once per
 * exchange on the hot path, where `for await` would build an async iterator and a promise per
 * chunk. Rejects when the stream fails or closes before its end (the peer went away).
 */
export function readBytes(stream: Readable, options: ReadBytesOptions = {}): Promise<Buffer> {
  const keep = options.keep ?? Infinity;
  const readAtMost = options.readAtMost ?? Infinity;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let seen = 0;
    const detach = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onEnd = () => {
      detach();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (kept <= keep) {
        const take = kept + chunk.length > keep + 1 ? chunk.subarray(0, keep + 1 - kept) : chunk;
        if (options.admit && !options.admit(take.length)) {
          onError(new ReadRefused());
          return;
        }
        chunks.push(take);
        kept += take.length;
      }
      if (seen > readAtMost) {
        onEnd();
        options.onTooLong?.();
      }
    };
    const onError = (error: Error) => {
      detach();
      reject(error);
    };
    const onClose = () => onError(new Error('the stream closed before its end'));
    const onAbort = () => onError(options.signal!.reason);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
