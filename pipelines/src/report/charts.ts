import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IterationReport } from '@reel/functions/model';
import type { ProgressiveStep } from '../eval/protocol-f.js';
import type { DatasetInfo } from './header.js';
import { lineChartSvg } from './svg-chart.js';

/** Protocol F's curve: NDCG@10 after folding in the first n ratings, with the n = 0 line. */
export async function writeProgressiveChart(
  directory: string,
  steps: readonly ProgressiveStep[],
  dataset: DatasetInfo,
  seed: number,
): Promise<string> {
  const ticks = steps.map((s, index) => ({ value: index, label: String(s.n) }));
  const popular = steps[0].ndcg10;
  const svg = lineChartSvg({
    title: "Progressive personalisation: NDCG@10 after a user's first n ratings",
    subtitle: `${dataset.name}, Protocol F, ${steps[0].users} users with ≥ 30 train ratings, seed ${seed}`,
    xLabel: 'train ratings folded in (n)',
    yLabel: 'NDCG@10',
    xTicks: ticks,
    series: [
      {
        name: 'served list after fold-in of the first n ratings',
        points: steps.map((s, index) => ({ x: index, y: s.ndcg10 })),
      },
      {
        name: 'popularity list (n = 0)',
        dashed: true,
        points: [
          { x: 0, y: popular },
          { x: steps.length - 1, y: popular },
        ],
      },
    ],
  });
  return save(directory, 'progressive-personalisation.svg', svg);
}

/** Training loss per iteration of one model. */
export async function writeLossChart(
  directory: string,
  file: string,
  title: string,
  iterations: readonly IterationReport[],
  subtitle: string,
): Promise<string> {
  const svg = lineChartSvg({
    title,
    subtitle,
    xLabel: 'iteration',
    yLabel: 'training loss per rating',
    yFromZero: false,
    xTicks: iterationTicks(iterations.length),
    series: [
      {
        name: 'regularised training objective ÷ ratings',
        points: iterations.map((it) => ({ x: it.iteration, y: it.loss })),
      },
    ],
  });
  return save(directory, file, svg);
}

/** Iterations 1..count: every one up to 12, else 1 and every 5th. */
function iterationTicks(count: number): { value: number; label: string }[] {
  const step = count <= 12 ? 1 : 5;
  const values = [1, ...Array.from({ length: Math.floor(count / step) }, (_, n) => (n + 1) * step)];
  return [...new Set(values)].map((value) => ({ value, label: String(value) }));
}

async function save(directory: string, file: string, svg: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, file);
  await writeFile(path, svg);
  return path;
}
