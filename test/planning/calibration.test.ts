import { CALIBRATION_TOLERANCE, calibrationTable, formatCalibrationTable, PUBLISHED_FIGURES } from '../../lib/planning';

const table = calibrationTable();

// `npm run plan -- --calibration` prints this table.
test('the printed table names a source for every figure', () => {
  const text = formatCalibrationTable(table);
  expect(text.split('\n').filter((l) => /^  source: \S/.test(l))).toHaveLength(PUBLISHED_FIGURES.length);
});

describe('every published figure beside its prediction', () => {
  test.each(table.filter((row) => !row.figure.unmatched).map((row) => [row.figure.metric, row.figure.configuration, row.figure.published, row]))(
    '%s of %s (%d) is predicted within 25%%',
    (_metric, _configuration, _published, row) => {
      expect(row.figure.source).toBeTruthy();
      expect(Math.abs(row.error)).toBeLessThanOrEqual(CALIBRATION_TOLERANCE);
    },
  );
});

test('the figures the rules cannot match are exactly these, each with its reason, and each really outside 25%', () => {
  const unmatched = table.filter((row) => row.figure.unmatched);
  expect(unmatched.map((row) => `${row.figure.metric} ${row.figure.published}: ${row.figure.unmatched}`)).toEqual([
    'TPOT p50 5.3: speculative decoding (a draft model proposing tokens) is not in the rules',
    'TPOT p50 8.27: speculative decoding (a draft model proposing tokens) is not in the rules, nor are FP8 weights',
    "TTFT p50 592.8: 4.8x the 1k dataset's TTFT for twice the tokens: the benchmark's batch-4 run queued prompts, which a single prompt's time does not show",
    'TTFT p50 377.2: the same queueing as the uncached 2k row',
    'TPOT p50 6.41: speculative decoding (a draft model proposing tokens) is not in the rules',
    "TTFT p50 252.33: 5x the rules' time for 512 tokens on 5.1B active parameters, which neither the FLOPs nor one read of every expert's weights explains; one illustrative mixture-of-experts figure is too little to fit MoE constants to",
    "TPOT p50 7: the step overhead fitted to the dense Llama rows (8 ms at TP 16) exceeds this server's whole step; one illustrative mixture-of-experts figure is too little to fit MoE constants to",
    'TPOT p50 5.82: speculative decoding (a draft model proposing tokens) is not in the rules',
    'TTFT p50 1661.12: four 2,048-token prompts encoded in one pass reach a higher utilisation than one prompt; the rule charges every prompt at the one-prompt rate',
    "decode speed 450: launch-day software; the catalog keeps Cerebras's later figure for the same model (the next row)",
  ]);
  for (const row of unmatched) expect(row.withinTolerance).toBe(false);
});

test('the table covers what the issue asks for: Trn2 Llama 3.3 70B and 3.1 405B TTFT and TPOT, Cerebras speeds, the 405B TTFT', () => {
  const matched = table.filter((row) => !row.figure.unmatched).map((row) => `${row.figure.metric} ${row.figure.configuration}`);
  for (const needle of [/^TTFT p50 Llama 3\.3 70B, trn2/, /^TPOT p50 Llama 3\.3 70B, trn2/, /^TTFT p50 Llama 3\.1 405B, trn2/, /^TPOT p50 Llama 3\.1 405B, trn2/]) {
    expect(matched.filter((m) => needle.test(m)).length).toBeGreaterThan(0);
  }
  // Both versions of the 70B tutorial's table (575.6 and 814.2 ms) hold within 25% of one prediction.
  expect(table.filter((row) => /^Llama 3\.3 70B, trn2.*10k in/.test(row.figure.configuration) && row.figure.metric === 'TTFT p50' && !row.figure.unmatched)).toHaveLength(2);
  expect(matched.filter((m) => m.startsWith('decode speed')).length).toBeGreaterThanOrEqual(4);
  expect(matched).toContain('TTFT Llama 3.1 405B, Cerebras Inference, BF16 (taken as a 1k-token prompt)');
});
