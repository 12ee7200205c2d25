import type { FleetCurve } from '../planner/curves';
import { formatPlanReport, PlanReport } from './plan-report';
import { escapeXml, lineChart } from './svg-chart';

const COLORS = ['#1f6fb4', '#e07b00'];

/**
 * One self-contained page: the report, and the curves people would rather look at than read (TTFT
 * at the SLO's percentile and goodput against the arrival rate, for the given and the recommended
 * fleets, with the SLO line). Inline CSS and SVG only: no script, no external reference.
 */
export function htmlPlanReport(report: PlanReport, curves: readonly FleetCurve[], ttftLimit: { percentile: number; ms?: number }): string {
  const series = (pick: (p: FleetCurve['points'][number]) => number) =>
    curves.map((curve, i) => ({
      label: `${curve.label} (${curve.fleet.prefillHosts}:${curve.fleet.decodeHosts})`,
      color: COLORS[i % COLORS.length],
      points: curve.points.map((p) => ({ x: p.requestsPerSecond, y: pick(p) })),
    }));
  const rates = curves[0]?.points.map((p) => p.requestsPerSecond) ?? [];
  const ttftChart = lineChart({
    title: `TTFT p${ttftLimit.percentile} against arrival rate`,
    xLabel: 'arrival rate (requests/s)',
    yLabel: `TTFT p${ttftLimit.percentile} (ms)`,
    series: series((p) => p.ttftMs),
    threshold: ttftLimit.ms === undefined ? undefined : { y: ttftLimit.ms, label: `SLO ${ttftLimit.ms} ms` },
    // Past saturation TTFT grows without bound: keep the SLO region readable.
    yMax: ttftLimit.ms === undefined ? undefined : ttftLimit.ms * 4,
  });
  const goodputChart = lineChart({
    title: 'Goodput against arrival rate',
    xLabel: 'arrival rate (requests/s)',
    yLabel: 'goodput (requests/s within the SLO)',
    series: [
      ...series((p) => p.goodput),
      { label: 'offered load', color: '#888', dashed: true, points: rates.map((r) => ({ x: r, y: r })) },
    ],
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeXml(`Plan: ${report.model}, ${report.prefill} + ${report.decode}`)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}pre{background:#f6f6f6;padding:1em;overflow-x:auto}' +
      '.charts{display:flex;flex-wrap:wrap;gap:1em}</style>',
    '</head>',
    '<body>',
    `<h1>${escapeXml(`Plan for ${report.model}`)}</h1>`,
    `<div class="charts">${ttftChart}${goodputChart}</div>`,
    `<pre>${escapeXml(formatPlanReport(report))}</pre>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
