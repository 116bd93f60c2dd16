/**
 * Line charts as standalone SVG, hand-written (a charting library would pull in a DOM or a
 * canvas for what is a few dozen elements). Text and axes follow the reader's colour scheme
 * (prefers-color-scheme), so a chart reads on GitHub's light and dark backgrounds alike; the
 * series colours are mid-tones that keep their contrast on both.
 */

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  readonly dashed?: boolean;
}

export interface LineChart {
  readonly title: string;
  /** A second line under the title: dataset, protocol, machine. */
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Categorical x axis: points are placed at these values, labelled with these labels. */
  readonly xTicks?: readonly { value: number; label: string }[];
  /** Include 0 in the y range (default true). */
  readonly yFromZero?: boolean;
  /** Significant digits in point tooltips (default 4). */
  readonly precision?: number;
  readonly width?: number;
  readonly height?: number;
}

const COLOURS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#a855f7', '#14b8a6'];
const MARGIN = { top: 64, right: 36, bottom: 56, left: 72 };

/** The SVG document of a line chart: axes with ticks, labels, a legend, one line per series. */
export function lineChartSvg(chart: LineChart): string {
  const width = chart.width ?? 720;
  const height = chart.height ?? 400;
  const points = chart.series.flatMap((s) => s.points);
  if (points.length === 0) throw new RangeError(`chart "${chart.title}": no data points`);
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      throw new RangeError(`chart "${chart.title}": point (${p.x}, ${p.y}) is not finite`);
    }
  }
  const legendHeight = 22 * Math.ceil(chart.series.length / 2);
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top + legendHeight,
    right: width - MARGIN.right,
    bottom: height - MARGIN.bottom,
  };
  const xs = chart.xTicks ? chart.xTicks.map((t) => t.value) : points.map((p) => p.x);
  const xTicks = chart.xTicks ?? niceTicks(Math.min(...xs), Math.max(...xs)).map(numberTick);
  const xMin = Math.min(...xs, ...xTicks.map((t) => t.value));
  const xMax = Math.max(...xs, ...xTicks.map((t) => t.value));
  const ys = points.map((p) => p.y);
  const yTickValues = niceTicks(
    chart.yFromZero === false ? Math.min(...ys) : Math.min(0, ...ys),
    Math.max(...ys),
  );
  const yMin = yTickValues[0];
  const yMax = yTickValues[yTickValues.length - 1];
  const sx = (x: number) =>
    xMax === xMin
      ? (plot.left + plot.right) / 2
      : plot.left + ((x - xMin) / (xMax - xMin)) * (plot.right - plot.left);
  const sy = (y: number) =>
    yMax === yMin
      ? (plot.top + plot.bottom) / 2
      : plot.bottom - ((y - yMin) / (yMax - yMin)) * (plot.bottom - plot.top);
  const digits = chart.precision ?? 4;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="title">`,
    `<title id="title">${escapeXml(chart.title)}</title>`,
    '<style>',
    'text{font:13px -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;fill:#1f2328}',
    '.title{font-size:16px;font-weight:600}.subtitle{fill:#59636e;font-size:12px}',
    '.axis{stroke:#59636e;stroke-width:1}.grid{stroke:#8c959f;stroke-opacity:.25;stroke-width:1}',
    '@media (prefers-color-scheme:dark){text{fill:#e6edf3}.subtitle{fill:#9198a1}.axis{stroke:#9198a1}}',
    '</style>',
    `<text class="title" x="${MARGIN.left}" y="24">${escapeXml(chart.title)}</text>`,
  );
  if (chart.subtitle) {
    out.push(
      `<text class="subtitle" x="${MARGIN.left}" y="44">${escapeXml(chart.subtitle)}</text>`,
    );
  }
  for (const value of yTickValues) {
    const y = round(sy(value));
    out.push(
      `<line class="grid" x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}"/>`,
      `<text x="${plot.left - 8}" y="${y + 4}" text-anchor="end">${formatTick(value, yTickValues)}</text>`,
    );
  }
  for (const tick of xTicks) {
    const x = round(sx(tick.value));
    out.push(
      `<line class="axis" x1="${x}" y1="${plot.bottom}" x2="${x}" y2="${plot.bottom + 5}"/>`,
      `<text x="${x}" y="${plot.bottom + 20}" text-anchor="middle">${escapeXml(tick.label)}</text>`,
    );
  }
  out.push(
    `<line class="axis" x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}"/>`,
    `<line class="axis" x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${plot.bottom}"/>`,
    `<text x="${(plot.left + plot.right) / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, s) => {
    const colour = COLOURS[s % COLOURS.length];
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    const path = series.points.map((p) => `${round(sx(p.x))},${round(sy(p.y))}`).join(' ');
    out.push(`<g class="series" data-name="${escapeXml(series.name)}">`);
    if (series.points.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2.5"${dash} points="${path}"/>`,
      );
    }
    for (const p of series.points) {
      out.push(
        `<circle cx="${round(sx(p.x))}" cy="${round(sy(p.y))}" r="3.5" fill="${colour}" data-x="${p.x}" data-y="${p.y}">` +
          `<title>${escapeXml(series.name)}: ${escapeXml(labelOf(p.x, chart.xTicks))} → ${p.y.toPrecision(digits)}</title></circle>`,
      );
    }
    out.push('</g>');
    const lx = MARGIN.left + (s % 2) * 320;
    const ly = MARGIN.top + 22 * Math.floor(s / 2) - 4;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${colour}" stroke-width="2.5"${dash}/>`,
      `<text x="${lx + 36}" y="${ly + 4}">${escapeXml(series.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Round tick values (1, 2 or 5 × 10^n apart) covering [min, max], about five of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step - 1e-9 * step; v += step) ticks.push(clean(v, step));
  return ticks;
}

function numberTick(value: number): { value: number; label: string } {
  return { value, label: String(value) };
}

function labelOf(x: number, ticks: LineChart['xTicks']): string {
  return ticks?.find((t) => t.value === x)?.label ?? String(x);
}

function formatTick(value: number, ticks: number[]): string {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals);
}

function clean(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(decimals));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
