import { chainedBlockHashes } from '../../../lib/runtime/routing/block-hash';
import { CacheKnowledge } from '../../../lib/runtime/routing/cache-knowledge';
import { PrefixIndex } from '../../../lib/runtime/routing/prefix-index';
import { promptPrefix, ROUTER_BLOCK_CHARS } from '../../../lib/runtime/routing/prompt-prefix';

const text = (n: number, seed = 'x') => Array.from({ length: n }, (_, i) => `${seed}${i} `).join('');
const chat = (...contents: string[]) => ({
  messages: contents.map((content, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content })),
});

test('chained block names: equal names mean equal prefixes; a change in one block renames every block after it', () => {
  const a = chainedBlockHashes([1, 2, 3, 4, 5, 6, 7, 8, 9], 4);
  expect(a).toHaveLength(2); // the partial last block has no name
  expect(chainedBlockHashes([1, 2, 3, 4, 5, 6, 7, 8], 4)).toEqual(a);
  const b = chainedBlockHashes([1, 2, 3, 0, 5, 6, 7, 8], 4);
  expect(b[0]).not.toBe(a[0]);
  expect(b[1]).not.toBe(a[1]);
  // The same in every process: no random root (vLLM needs PYTHONHASHSEED for this).
  expect(chainedBlockHashes([1, 2, 3, 4], 4)).toEqual(chainedBlockHashes(Uint16Array.from([1, 2, 3, 4]), 4));
});

test("a conversation's next turn shares this turn's blocks and its name (affinity); another conversation has neither", () => {
  const turn1 = promptPrefix(chat(text(200), 'ok', text(50, 'y')));
  const turn2 = promptPrefix(chat(text(200), 'ok', text(50, 'y'), 'sure', text(80, 'z')));
  expect(turn2.blocks.slice(0, turn1.blocks.length)).toEqual(turn1.blocks);
  expect(turn2.affinity).toBe(turn1.affinity);
  const other = promptPrefix(chat(text(200, 'q'), 'ok'));
  expect(other.affinity).not.toBe(turn1.affinity);
  expect(other.blocks[0]).not.toBe(turn1.blocks[0]);
  expect(turn1.blocks).toHaveLength(Math.floor(turn1.chars / ROUTER_BLOCK_CHARS));
});

test('the index finds, per worker, the longest run of the prompt it holds, from the first block', () => {
  const index = new PrefixIndex();
  index.record('a', [1, 2, 3, 4]);
  index.record('b', [1, 2, 9]);
  index.record('c', [5, 6]);
  expect(index.matches([1, 2, 3, 7], ['a', 'b', 'c'])).toEqual(new Map([['a', 3], ['b', 2]]));
  // Only the workers asked about, and only runs from the prompt's first block.
  expect(index.matches([1, 2, 3], ['b'])).toEqual(new Map([['b', 2]]));
  expect(index.matches([7, 1, 2], ['a', 'b'])).toEqual(new Map());
});

test('the index is bounded: past its capacity the least recently routed blocks go first', () => {
  const index = new PrefixIndex(4);
  index.record('a', [1, 2, 3]);
  index.record('b', [10, 11]);
  expect(index.size).toBe(4);
  expect(index.matches([1, 2, 3], ['a'])).toEqual(new Map()); // block 1 went first: the chain breaks there
  index.record('a', [10]); // routed again: the most recent now
  index.record('c', [20, 21]);
  expect(index.size).toBe(4);
  // Blocks 2 and 3 were the least recent; 10 and 11 stay, 10 held by both.
  expect(index.matches([1, 2, 3], ['a'])).toEqual(new Map());
  expect(index.matches([10, 11], ['a', 'b'])).toEqual(new Map([['a', 1], ['b', 2]]));
  expect(index.matches([20, 21], ['c'])).toEqual(new Map([['c', 2]]));
  expect(() => new PrefixIndex(0)).toThrow('A prefix index needs room for at least 1 block; got 0.');
});

test('cache knowledge: what a worker answered it holds; its counts teach characters per token and how much of the index it keeps', () => {
  const knowledge = new CacheKnowledge();
  const first = promptPrefix(chat(text(400)));
  const next = promptPrefix(chat(text(400), 'ok', text(100, 'y')));
  expect(knowledge.cachedTokens(next, ['a', 'b'])).toEqual(new Map());
  // 4 characters per token until told: the prompt's size is its characters over 4.
  expect(knowledge.promptTokens(first)).toBe(Math.round(first.chars / 4));
  knowledge.answered('a', first, Math.round(first.chars / 4), 0, 0);
  const expected = knowledge.cachedTokens(next, ['a', 'b']);
  expect([...expected.keys()]).toEqual(['a']);
  expect(expected.get('a')).toBeGreaterThan(0.9 * knowledge.promptTokens(first));
  // Workers answering with half the tokens (2 characters per token) move the estimate towards it.
  for (let i = 0; i < 20; i++) knowledge.answered('b', next, Math.round(next.chars / 8), 0, 0);
  expect(knowledge.promptTokens(next)).toBeCloseTo(next.chars / 8, -1);
  // A worker that served none of what the router expected (it evicted) is expected to hold less next time.
  const before = knowledge.cachedTokens(next, ['a']).get('a')!;
  knowledge.answered('a', first, knowledge.promptTokens(first), 0, before);
  expect(knowledge.cachedTokens(next, ['a']).get('a')!).toBeLessThan(before);
});
