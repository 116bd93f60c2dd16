import { describe, expect, it } from 'vitest';
import { lineChartSvg, niceTicks } from './svg-chart.js';

/** Checks the document is well-formed XML: every tag closed in order, attributes quoted. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let consumed = 0;
  for (let match = tag.exec(svg); match; match = tag.exec(svg)) {
    const between = svg.slice(consumed, match.index);
    expect(between, `stray markup before ${match[0]}`).not.toMatch(/[<>]/);
    consumed = match.index + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (closing) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (!selfClosing) stack.push(name);
  }
  expect(svg.slice(consumed).trim()).toBe('');
  expect(stack).toEqual([]);
}

const CHART = {
  title: 'NDCG@10 vs ratings folded in <n>',
  subtitle: 'ml-latest-small & Protocol F',
  xLabel: 'n',
  yLabel: 'NDCG@10',
  xTicks: [
    { value: 0, label: '0' },
    { value: 1, label: '1' },
    { value: 2, label: 'all' },
  ],
  series: [
    {
      name: 'fold-in',
      points: [
        { x: 0, y: 0.05 },
        { x: 1, y: 0.08 },
        { x: 2, y: 0.12 },
      ],
    },
    {
      name: 'popularity',
      dashed: true,
      points: [
        { x: 0, y: 0.07 },
        { x: 2, y: 0.07 },
      ],
    },
  ],
};

describe('lineChartSvg', () => {
  it('writes a well-formed SVG with every data point, labels and legend', () => {
    const svg = lineChartSvg(CHART);
    assertWellFormed(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const circles = [...svg.matchAll(/<circle [^>]*data-x="([^"]+)" data-y="([^"]+)"/g)].map(
      (m) => [Number(m[1]), Number(m[2])],
    );
    expect(circles).toEqual([
      [0, 0.05],
      [1, 0.08],
      [2, 0.12],
      [0, 0.07],
      [2, 0.07],
    ]);
    expect(svg).toContain('NDCG@10 vs ratings folded in &lt;n&gt;');
    expect(svg).toContain('ml-latest-small &amp; Protocol F');
    expect(svg).toContain('>all</text>');
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('prefers-color-scheme:dark');
  });

  it('places higher values higher and later x further right', () => {
    const svg = lineChartSvg(CHART);
    const [a, b, c] = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
    }));
    expect(a.x).toBeLessThan(b.x);
    expect(b.x).toBeLessThan(c.x);
    // SVG y grows downwards.
    expect(a.y).toBeGreaterThan(b.y);
    expect(b.y).toBeGreaterThan(c.y);
  });

  it('refuses empty or non-finite data', () => {
    expect(() => lineChartSvg({ ...CHART, series: [] })).toThrow(/no data points/);
    expect(() =>
      lineChartSvg({ ...CHART, series: [{ name: 'x', points: [{ x: 0, y: Number.NaN }] }] }),
    ).toThrow(/not finite/);
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0, 0.123)).toEqual([0, 0.05, 0.1, 0.15]);
    expect(niceTicks(1, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(3, 3)).toEqual([2.6, 2.8, 3, 3.2, 3.4]);
  });
});
