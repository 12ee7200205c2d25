/** One line of a chart. */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Drawn dashed (reference lines). */
  readonly dashed?: boolean;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** A horizontal line, e.g. the SLO. */
  readonly threshold?: { readonly y: number; readonly label: string };
  /** The y axis ends here; points above are drawn on the top edge, marked as off the scale. */
  readonly yMax?: number;
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 80 };

/** Escapes text for HTML and SVG. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About five round tick values from 0 to `max`. */
function ticks(max: number): number[] {
  const raw = max / 5;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const values: number[] = [];
  for (let v = 0; v <= max + step / 1e6; v += step) values.push(Number(v.toPrecision(6)));
  return values;
}

const format = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString());

/** An inline SVG line chart (no scripts, no external references). */
export function lineChart(chart: LineChart): string {
  const xs = chart.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = chart.series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const xMax = Math.max(...xs, 1e-9);
  const dataMax = Math.max(...ys, chart.threshold?.y ?? 0, 1e-9);
  const yTicks = ticks(Math.min(dataMax, chart.yMax ?? Infinity) * 1.05);
  const yTop = yTicks[yTicks.length - 1];
  const xTicks = ticks(xMax);
  const xRight = xTicks[xTicks.length - 1];
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + (x / xRight) * plotWidth;
  const py = (y: number) => MARGIN.top + plotHeight - (Math.min(y, yTop) / yTop) * plotHeight;
  const parts: string[] = [];
  parts.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`);
  for (const t of yTicks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11">${format(t)}</text>`);
  }
  for (const t of xTicks) {
    parts.push(`<text x="${px(t)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle" font-size="11">${format(t)}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${py(0)}" y2="${py(0)}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${py(0)}" stroke="#333"/>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 34}" text-anchor="middle" font-size="12">${escapeXml(chart.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(chart.yLabel)}</text>`,
  );
  if (chart.threshold) {
    const y = py(chart.threshold.y);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#c00" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right - 4}" y="${y - 5}" text-anchor="end" font-size="11" fill="#c00">${escapeXml(chart.threshold.label)}</text>`);
  }
  for (const series of chart.series) {
    const path = series.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    const dash = series.dashed ? ' stroke-dasharray="3 3"' : '';
    parts.push(`<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`);
    for (const p of series.points) {
      const off = p.y > yTop;
      parts.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="${off ? 4 : 3}" fill="${off ? 'white' : series.color}" stroke="${series.color}">` +
          `<title>${escapeXml(`${series.label}: ${format(p.x)} -> ${format(p.y)}${off ? ' (off the scale)' : ''}`)}</title></circle>`,
      );
    }
  }
  chart.series.forEach((series, i) => {
    const y = HEIGHT - 22 + (i >= 2 ? 14 : 0);
    const x = MARGIN.left + (i % 2) * (plotWidth / 2);
    const dash = series.dashed ? ' stroke-dasharray="3 3"' : '';
    parts.push(`<line x1="${x}" x2="${x + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${series.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${x + 28}" y="${y}" font-size="11">${escapeXml(series.label)}</text>`);
  });
  return `<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(chart.title)}">${parts.join('')}</svg>`;
}
