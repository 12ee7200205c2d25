import { getModelSpec } from '../../lib/hardware';
import { buildKvBlob, kvBlobBytes, kvBlobMismatch, KV_SCALE_DOWN } from '../../lib/mock/kv-blob';
import { KvLeaseStore } from '../../lib/mock/kv-lease';
import { socketKvSource, startSocketKvServer } from '../../lib/mock/kv-transport';
import { promptTokenIds } from '../../lib/mock/tokenizer';

const LLAMA_70B = getModelSpec('llama-3.3-70b-instruct');

test('a KV blob follows the model KV bytes per token (scaled down) and fits only its own prompt', () => {
  const tokens = promptTokenIds({ prompt: 'one two three four' });
  const blob = buildKvBlob(tokens, LLAMA_70B.kvBytesPerToken);
  expect(blob.length).toBe(kvBlobBytes(4, LLAMA_70B.kvBytesPerToken));
  expect(blob.length).toBeGreaterThanOrEqual((4 * 327_680) / KV_SCALE_DOWN);
  expect(kvBlobMismatch(blob, tokens)).toBeUndefined();
  expect(kvBlobMismatch(blob, promptTokenIds({ prompt: 'one two three five' }))).toBe('KV blocks belong to a different prompt');
  expect(kvBlobMismatch(blob, tokens.slice(1))).toMatch(/hold 4 tokens, the prompt has 3/);
});

test('the socket transport hands a leased blob over once, then the lease is gone', async () => {
  const leases = new KvLeaseStore(10_000);
  const server = await startSocketKvServer(leases);
  try {
    const blob = buildKvBlob([1, 2, 3], 1024);
    const id = leases.add(blob);
    const params = { remote_host: server.host, remote_port: server.port, remote_request_id: id };
    const pulled = await socketKvSource.pull(params, new AbortController().signal);
    expect(Buffer.compare(pulled, blob)).toBe(0);
    expect(leases.size).toBe(0);
    await expect(socketKvSource.pull(params, new AbortController().signal)).rejects.toThrow(`no KV lease ${id}`);
  } finally {
    await server.close();
  }
});

test('an unpulled lease expires and the pull says so', async () => {
  const leases = new KvLeaseStore(20);
  const server = await startSocketKvServer(leases);
  try {
    const id = leases.add(buildKvBlob([1], 1024));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(leases.size).toBe(0);
    await expect(
      socketKvSource.pull({ remote_host: server.host, remote_port: server.port, remote_request_id: id }, new AbortController().signal),
    ).rejects.toThrow(/expired before the pull/);
  } finally {
    await server.close();
  }
});

test('a 0 ms lease has run out before any pull, however soon the pull comes', () => {
  // The --kv-lease-ms 0 fault: a 0 ms timer would lose the race to a pull made within a millisecond.
  const leases = new KvLeaseStore(0);
  const id = leases.add(buildKvBlob([1], 1024));
  expect(leases.size).toBe(0);
  expect(leases.take(id)).toEqual({ error: `KV lease ${id} expired before the pull` });
});
