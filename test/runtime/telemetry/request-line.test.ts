import { requestLogLine, RequestRecord } from '../../../lib/runtime/telemetry/request-line';
import { stdoutTelemetry } from '../../../lib/runtime/telemetry/stdout-sink';
import { ERROR_TYPE_DIMENSION, METRIC_NAMES, METRIC_NAMESPACE, MODEL_ID_DIMENSION } from '../../../lib/runtime/telemetry/schema';

const base: RequestRecord = {
  requestId: 'r-1',
  operation: 'ConverseStream',
  modelId: 'us.meta.llama3-3-70b-instruct-v1:0',
  outcome: 'success',
  startedAt: 1_000,
  endedAt: 1_500,
  inputTokens: 40,
  outputTokens: 11,
  prefillMs: 30,
  kvHandoffMs: 5,
  firstTokenAt: 1_050,
  lastTokenAt: 1_150,
};

/** The rules CloudWatch applies to an embedded-metric-format document. */
function expectValidEmf(doc: Record<string, any>) {
  expect(typeof doc._aws.Timestamp).toBe('number');
  for (const directive of doc._aws.CloudWatchMetrics) {
    expect(directive.Namespace).toBe(METRIC_NAMESPACE);
    for (const set of directive.Dimensions) for (const name of set) expect(typeof doc[name]).toBe('string');
    for (const metric of directive.Metrics) expect(typeof doc[metric.Name]).toBe('number');
  }
}

test('a successful stream logs every stage metric per model, derived the documented way', () => {
  const doc = JSON.parse(requestLogLine(base));
  expectValidEmf(doc);
  expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
  expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([[MODEL_ID_DIMENSION]]);
  expect(doc).toMatchObject({
    [MODEL_ID_DIMENSION]: base.modelId,
    [METRIC_NAMES.requests]: 1,
    [METRIC_NAMES.inputTokens]: 40,
    [METRIC_NAMES.outputTokens]: 11,
    [METRIC_NAMES.prefillLatency]: 30,
    [METRIC_NAMES.kvHandoffLatency]: 5,
    [METRIC_NAMES.timeToFirstToken]: 50,
    // 10 gaps between 11 tokens over 100 ms.
    [METRIC_NAMES.timePerOutputToken]: 10,
    [METRIC_NAMES.outputTokensPerSecond]: 100,
    Operation: 'ConverseStream',
    Outcome: 'success',
  });
  expect(doc[METRIC_NAMES.errors]).toBeUndefined();
});

test('a failure adds the error count per model and per error type, and omits what never happened', () => {
  const doc = JSON.parse(
    requestLogLine({ requestId: 'r-2', operation: 'Converse', modelId: base.modelId, outcome: 'ModelTimeoutException', errorType: 'ModelTimeoutException', startedAt: 0, endedAt: 300, prefillMs: 300 }),
  );
  expectValidEmf(doc);
  expect(doc._aws.CloudWatchMetrics[1]).toEqual({
    Namespace: METRIC_NAMESPACE,
    Dimensions: [[MODEL_ID_DIMENSION], [ERROR_TYPE_DIMENSION]],
    Metrics: [{ Name: METRIC_NAMES.errors, Unit: 'Count' }],
  });
  expect(doc[ERROR_TYPE_DIMENSION]).toBe('ModelTimeoutException');
  expect(doc[METRIC_NAMES.errors]).toBe(1);
  expect(doc[METRIC_NAMES.timeToFirstToken]).toBeUndefined();
  expect(doc._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual([METRIC_NAMES.requests, METRIC_NAMES.prefillLatency]);
});

test('requests for models the gateway does not serve share one dimension value', () => {
  const doc = JSON.parse(requestLogLine({ requestId: 'r-3', operation: 'Converse', outcome: 'ResourceNotFoundException', errorType: 'ResourceNotFoundException', startedAt: 0, endedAt: 1 }));
  expectValidEmf(doc);
  expect(doc[MODEL_ID_DIMENSION]).toBe('unknown');
});

test('the default sink writes every line to stdout, lines of one event-loop turn in one write', async () => {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    stdoutTelemetry('{"a":1}');
    stdoutTelemetry('{"b":2}');
    expect(write).not.toHaveBeenCalled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(write.mock.calls).toEqual([['{"a":1}\n{"b":2}\n']]);
    stdoutTelemetry('{"c":3}');
    await new Promise((resolve) => setImmediate(resolve));
    expect(write.mock.calls[1]).toEqual(['{"c":3}\n']);
  } finally {
    write.mockRestore();
  }
});

test('context fields: the latency tier, the request metadata and a failure detail (bounded), none of them metrics', () => {
  const plain = JSON.parse(requestLogLine(base));
  expect(plain).not.toHaveProperty('LatencyTier');
  expect(plain).not.toHaveProperty('RequestMetadata');
  expect(plain).not.toHaveProperty('ErrorDetail');
  const doc = JSON.parse(
    requestLogLine({
      ...base,
      outcome: 'ServiceUnavailableException',
      errorType: 'ServiceUnavailableException',
      errorDetail: `http://10.0.0.7:8000: ${'x'.repeat(5000)}`,
      requestMetadata: { tenant: 'acme' },
      latencyTier: 'optimized',
    }),
  );
  expectValidEmf(doc);
  expect(doc).toMatchObject({ LatencyTier: 'optimized', RequestMetadata: { tenant: 'acme' } });
  expect(doc.ErrorDetail).toMatch(/^http:\/\/10\.0\.0\.7:8000: x+$/);
  expect(doc.ErrorDetail).toHaveLength(2000);
  for (const directive of doc._aws.CloudWatchMetrics) {
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).not.toEqual(expect.arrayContaining(['LatencyTier', 'ErrorDetail']));
  }
});
