import { Writable } from 'stream';
import type { AwsLambdaStreaming } from '../../../lib/runtime/lambda/lambda-http';

/**
 * A stand-in for the `awslambda` global of the Lambda Node.js runtime, behaving as the runtime
 * documents it: `streamifyResponse` marks the handler, `HttpResponseStream.from` writes the HTTP
 * prelude (status and headers as JSON) followed by 8 NUL bytes, then the body goes through as is.
 */
export const fakeAwsLambda: AwsLambdaStreaming = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from(responseStream, prelude) {
      responseStream.write(Buffer.from(JSON.stringify(prelude), 'utf8'));
      responseStream.write(Buffer.alloc(8));
      return responseStream;
    },
  },
};

/** Installs the stand-in as the global, as the runtime does before loading an entry point. */
export function installFakeAwsLambda(): void {
  (globalThis as { awslambda?: AwsLambdaStreaming }).awslambda = fakeAwsLambda;
}

/** The response stream the runtime hands a streaming handler; it keeps every byte written. */
export class CollectingResponseStream extends Writable {
  private readonly chunks: Buffer[] = [];
  /** Byte counts of each write, to show the body arrived in pieces. */
  public readonly writes: number[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    this.writes.push(chunk.length);
    callback();
  }

  /** Everything written, prelude included. */
  public bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** What API Gateway makes of a streamed Lambda response: the prelude, then the body bytes. */
export function parseStreamedResponse(bytes: Buffer): {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
} {
  const delimiter = bytes.indexOf(Buffer.alloc(8));
  if (delimiter < 0) throw new Error('no prelude delimiter (8 NUL bytes) in the streamed response');
  const prelude = JSON.parse(bytes.subarray(0, delimiter).toString('utf8')) as {
    statusCode: number;
    headers: Record<string, string>;
  };
  return { ...prelude, body: bytes.subarray(delimiter + 8) };
}
