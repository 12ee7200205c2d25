/**
 * Deterministic "model output": the same prompt always yields the same tokens. Every token is
 * a word (with its leading space) or a full stop, so re-tokenizing the text gives the same count.
 */
const WORDS = (
  'the a of prefill decode token cache model stream worker router latency trainium cerebras wafer fabric ' +
  'network request answer prompt context window block lease transfer pipeline gateway fast steady ' +
  'memory bandwidth compute parallel serial layer attention value key batch queue endpoint region'
).split(' ');

/** Natural answer lengths, in tokens, when the request allows them. */
const MIN_NATURAL_TOKENS = 12;
const NATURAL_SPREAD = 49;

export interface GeneratedAnswer {
  /** Tokens the model would produce before ending on its own. */
  readonly naturalLength: number;
  /** The token at a position (0-based). */
  token(index: number): string;
}

/**
 * The answer to a prompt. `salt` draws a different text from the same prompt (the mock's
 * reasoning before its answer).
 */
export function answerFor(promptTokenIds: readonly number[], naturalLength?: number, salt = 0): GeneratedAnswer {
  let seed = (2166136261 ^ salt) >>> 0;
  for (const id of promptTokenIds) seed = Math.imul(seed ^ id, 16777619) >>> 0;
  const length = naturalLength ?? MIN_NATURAL_TOKENS + (seed % NATURAL_SPREAD);
  return {
    naturalLength: length,
    token(index: number): string {
      // A stateless mix of seed and position, so any token can be computed without the ones before it.
      let x = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
      x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
      x = (x ^ (x >>> 16)) >>> 0;
      if (index > 0 && index % 9 === 8) return '.';
      const word = WORDS[x % WORDS.length];
      if (index === 0) return word.charAt(0).toUpperCase() + word.slice(1);
      return ' ' + word;
    },
  };
}
