import type { FetchFunction } from '../routing/fetch-function';
import type { ReadWorkerLoad, ReportedLoad } from '../routing/worker-directory';
import { PATHS } from './worker-protocol';

/**
 * The two gauges of vLLM's Prometheus `/metrics` a router balances on (vllm/v1/metrics/loggers.py,
 * `PrometheusStatLogger`: labels `model_name` and `engine`, one series per engine of a data-parallel
 * server). The CloudWatch agent on the fleets scrapes the same names (fleet-telemetry.ts).
 */
export const VLLM_LOAD_GAUGES = {
  running: 'vllm:num_requests_running',
  waiting: 'vllm:num_requests_waiting',
} as const;

/** Largest `/metrics` page read; vLLM's is tens of kilobytes (histograms), the gauges come first. */
const MAX_METRICS_BYTES = 1 << 20;

/**
 * The worker's load from a Prometheus text exposition (the format `prometheus_client` writes: one
 * sample a line, `name{label="value",...} value [timestamp]`, `#` lines for HELP and TYPE): each
 * gauge summed over its series (the engines). Undefined when the page has neither gauge.
 */
export function parseReportedLoad(exposition: string): ReportedLoad | undefined {
  const sums: Record<keyof typeof VLLM_LOAD_GAUGES, number | undefined> = { running: undefined, waiting: undefined };
  for (const line of exposition.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    for (const key of ['running', 'waiting'] as const) {
      const name = VLLM_LOAD_GAUGES[key];
      if (!line.startsWith(name)) continue;
      const next = line.charAt(name.length);
      if (next !== '{' && next !== ' ' && next !== '\t') continue; // a longer name sharing the prefix
      const value = sampleValue(line, name.length);
      if (value !== undefined) sums[key] = (sums[key] ?? 0) + value;
    }
  }
  if (sums.running === undefined && sums.waiting === undefined) return undefined;
  return { running: sums.running ?? 0, waiting: sums.waiting ?? 0 };
}

/** The value of a sample line whose name ends at `from`: after the labels, if any, up to an optional timestamp. */
function sampleValue(line: string, from: number): number | undefined {
  let i = from;
  if (line.charAt(i) === '{') {
    // Label values are quoted and may hold an escaped quote, or even a brace.
    let quoted = false;
    for (i++; i < line.length; i++) {
      const c = line.charAt(i);
      if (quoted && c === '\\') i++;
      else if (c === '"') quoted = !quoted;
      else if (!quoted && c === '}') break;
    }
    i++;
  }
  const value = Number(line.slice(i).trim().split(/\s+/)[0]);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The two gauges as vLLM writes them, for the mock workers' `/metrics`. */
export function renderReportedLoad(load: ReportedLoad, servedModel: string): string {
  const labels = `{engine="0",model_name=${JSON.stringify(servedModel)}}`;
  return [
    `# HELP ${VLLM_LOAD_GAUGES.running} Number of requests in model execution batches.`,
    `# TYPE ${VLLM_LOAD_GAUGES.running} gauge`,
    `${VLLM_LOAD_GAUGES.running}${labels} ${load.running.toFixed(1)}`,
    `# HELP ${VLLM_LOAD_GAUGES.waiting} Number of requests waiting to be processed.`,
    `# TYPE ${VLLM_LOAD_GAUGES.waiting} gauge`,
    `${VLLM_LOAD_GAUGES.waiting}${labels} ${load.waiting.toFixed(1)}`,
    '',
  ].join('\n');
}

/**
 * Reads a worker's load from its `/metrics` with `fetch`: undefined when the worker does not answer
 * in time, answers an error, or serves no vLLM gauges. Never throws.
 */
export function metricsLoadReader(fetch: FetchFunction): ReadWorkerLoad {
  return async (url, signal) => {
    try {
      const response = await fetch(url + PATHS.metrics, { method: 'GET', signal });
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        return undefined;
      }
      return parseReportedLoad(await readText(response.body, MAX_METRICS_BYTES));
    } catch {
      return undefined;
    }
  };
}

async function readText(body: AsyncIterable<Uint8Array> & { cancel(): Promise<void> }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    length += chunk.length;
    if (length >= limit) {
      await body.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
