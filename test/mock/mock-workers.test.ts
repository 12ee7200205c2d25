import { getModelSpec } from '../../lib/hardware';
import { buildKvBlob, kvBlobBytes, kvBlobMismatch, KV_SCALE_DOWN } from '../../lib/mock/kv-blob';
import { KvLeaseStore } from '../../lib/mock/kv-lease';
import { socketKvSource, startSocketKvServer } from '../../lib/mock/kv-transport';
import { answerFor } from '../../lib/mock/text-generator';
import { Timing } from '../../lib/mock/timing';
import { promptTokenIds, renderChat, tokenize } from '../../lib/mock/tokenizer';

const LLAMA_70B = getModelSpec('llama-3.3-70b-instruct');

test('generated text re-tokenizes to exactly the tokens generated, so usage and CountTokens agree', () => {
  const answer = answerFor(promptTokenIds({ prompt: 'any prompt at all' }), 200);
  const text = Array.from({ length: answer.naturalLength }, (_, i) => answer.token(i)).join('');
  expect(tokenize(text)).toHaveLength(200);
});

test('the chat template follows Llama 3 and counts its markers as single tokens', () => {
  const rendered = renderChat([{ role: 'user', content: 'Hi there' }]);
  expect(rendered).toBe('<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
  expect(tokenize(rendered)).toEqual(['<|begin_of_text|>', '<|start_header_id|>', 'user', '<|end_header_id|>', 'Hi', 'there', '<|eot_id|>', '<|start_header_id|>', 'assistant', '<|end_header_id|>']);
});

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

test('realistic timing follows the catalog: Trainium2 prefill, EFA KV egress, CS-3 decode speed', () => {
  const timing = Timing.realistic(LLAMA_70B, 'trn2.48xlarge');
  // 2 x 70e9 FLOPs per token x 1,000 tokens over 16 chips x 667 TFLOPS x 40%.
  expect(timing.prefillMs(1000)).toBeCloseTo((1000 * 2 * 70e9 * 1000) / (16 * 667e12 * 0.4), 6);
  // 1,000 tokens x 320 KiB over the measured 270 GB/s.
  expect(timing.kvTransferMs(1000)).toBeCloseTo((1000 * 327_680 * 1000) / 270e9, 6);
  expect(timing.decodeTokenMs()).toBeCloseTo(1000 / 2100, 6);
  expect(Timing.realistic(LLAMA_70B, 'trn1.32xlarge').prefillMs(1000)).toBeGreaterThan(timing.prefillMs(1000));
  expect(Timing.NONE.prefillMs(1000) + Timing.NONE.decodeTokenMs()).toBe(0);
});
