import { relative } from 'node:path';
import { BUNDLED_RATINGS } from '../data/bundled.js';
import type { LoadedRatings } from '../data/ratings-parser.js';
import { loadRatingsFile } from '../data/read-ratings-file.js';
import {
  generateSyntheticRatings,
  SYNTHETIC_SIZES,
  type SyntheticSize,
} from '../data/synthetic.js';
import { type ProgressSink, progressMeter, silentProgress } from '../report/progress.js';

export const BENCH_DATASETS = ['ml-latest-small', 'ml1m', 'ml25m'] as const;
export type BenchDataset = (typeof BENCH_DATASETS)[number];

/** The bundled MovieLens file, or a synthetic set of EVALUATION.md's sizes generated in memory. */
export async function benchRatings(
  dataset: BenchDataset | SyntheticSize,
  seed: number,
  progress: ProgressSink = silentProgress,
): Promise<{ loaded: LoadedRatings; source: string }> {
  if (dataset === 'ml-latest-small') {
    return {
      loaded: await loadRatingsFile(BUNDLED_RATINGS, { progress }),
      source: relative(process.cwd(), BUNDLED_RATINGS),
    };
  }
  const size = typeof dataset === 'string' ? SYNTHETIC_SIZES[dataset] : dataset;
  const meter = progressMeter(progress, 'generating synthetic ratings', size.users, 'users');
  const loaded = generateSyntheticRatings(size, { seed }, (user) => meter.update(user + 1));
  meter.done();
  return { loaded, source: `synthetic, seed ${seed}` };
}
