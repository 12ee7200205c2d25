import * as net from 'node:net';
import { KvTransferParams } from '../runtime/openai/worker-protocol';
import { KvLeaseStore } from './kv-lease';
import { sleep } from './sleep';

/**
 * How a decode worker gets KV blocks from a prefill worker. Production uses NIXL over
 * libfabric on EFA; the mock pulls over a TCP socket. The decode worker only sees `KvSource`,
 * so another transport (or none, for prompt replay) plugs in without touching it.
 */
export interface KvSource {
  /**
   * Fetches the KV named by a prefill answer's `kv_transfer_params`, from token `fromToken` on (the
   * blocks before it the decode worker has cached); rejects with the reason it failed.
   */
  pull(params: KvTransferParams, signal: AbortSignal, fromToken?: number): Promise<Buffer>;
}

/** The prefill side of a transport: where decode workers pull from. */
export interface KvTransferServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface SocketKvServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Simulated transfer time for a blob, in ms (see the timing model). @default none */
  readonly transferDelayMs?: (blobBytes: number) => number;
  /** Every transfer breaks halfway: the connection drops after half the blob (a transfer error). @default false */
  readonly breakTransfers?: boolean;
}

/**
 * Serves leased KV over TCP: the puller sends `PULL <lease id> [<from token>]\n` (or
 * `RELEASE <lease id>\n` when it gives up) and gets `OK <bytes>\n<blob>` or `ERR <reason>\n`.
 */
export async function startSocketKvServer(store: KvLeaseStore, options: SocketKvServerOptions = {}): Promise<KvTransferServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const gone = new AbortController();
    socket.on('close', () => {
      sockets.delete(socket);
      gone.abort();
    });
    socket.on('error', () => socket.destroy());
    let line = '';
    const onData = (data: Buffer) => {
      line += data.toString('latin1');
      const end = line.indexOf('\n');
      if (end < 0) {
        if (line.length > 256) socket.destroy();
        return;
      }
      socket.off('data', onData);
      const [verb, id, from] = line.slice(0, end).trim().split(' ');
      if (verb === 'RELEASE' && id) {
        store.release(id);
        socket.end('OK 0\n');
        return;
      }
      if (verb !== 'PULL' || !id) {
        socket.end('ERR expected PULL <lease id> or RELEASE <lease id>\n');
        return;
      }
      const fromToken = from === undefined ? 0 : Number(from);
      if (!Number.isInteger(fromToken) || fromToken < 0) {
        socket.end('ERR the from token must be a whole number\n');
        return;
      }
      const taken = store.take(id, fromToken);
      if ('error' in taken) {
        socket.end(`ERR ${taken.error}\n`);
        return;
      }
      sleep(options.transferDelayMs?.(taken.blob.length) ?? 0, gone.signal).then(
        () => {
          socket.write(`OK ${taken.blob.length}\n`);
          if (options.breakTransfers) socket.write(taken.blob.subarray(0, taken.blob.length >> 1), () => socket.destroy());
          else socket.end(taken.blob);
        },
        () => undefined, // the puller left; the lease is already released
      );
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    host,
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Pulls blobs from `startSocketKvServer` at the `remote_host`/`remote_port` of the params. */
export const socketKvSource: KvSource = {
  pull(params: KvTransferParams, signal: AbortSignal, fromToken = 0): Promise<Buffer> {
    const id = params.remote_request_id;
    if (!params.remote_host || !params.remote_port || !id) {
      return Promise.reject(new Error('kv_transfer_params name no remote_host, remote_port and remote_request_id'));
    }
    return new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(params.remote_port!, params.remote_host!);
      // Chunks joined once at the end: concatenating per chunk copies a long prompt's blob quadratically.
      const chunks: Buffer[] = [];
      const fail = (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(error);
      };
      const onAbort = () => {
        fail(new Error('KV pull aborted'));
        // Tell the prefill worker to free the blocks now rather than when the lease runs out.
        net.connect(params.remote_port!, params.remote_host!).on('error', () => undefined).end(`RELEASE ${id}\n`);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('connect', () => socket.write(`PULL ${id} ${fromToken}\n`));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error) => fail(new Error(`KV pull from ${params.remote_host}:${params.remote_port} failed: ${error.message}`)));
      socket.on('end', () => {
        signal.removeEventListener('abort', onAbort);
        const data = Buffer.concat(chunks);
        const newline = data.indexOf(0x0a);
        const status = newline < 0 ? data.toString('latin1') : data.subarray(0, newline).toString('latin1');
        if (status.startsWith('ERR ')) return reject(new Error(status.slice(4)));
        const bytes = Number(status.slice(3));
        const blob = data.subarray(newline + 1);
        if (!status.startsWith('OK ') || blob.length !== bytes) return reject(new Error('KV transfer ended early'));
        resolve(blob);
      });
      // A connection that closes without an end (dropped mid-blob) settles too; after an end this does nothing.
      socket.on('close', () => fail(new Error('KV transfer ended early')));
    });
  },
};
