import { SYNTHETIC_SIZES, type SyntheticSize } from '../data/synthetic.js';
import type { ProgressSink } from '../report/progress.js';
import { type RetrainMeasurement, runRetrainChild } from './child.js';

export type ScalingVariable = 'ratings' | 'users' | 'movies' | 'k';

export interface ScalingPoint {
  variable: ScalingVariable;
  value: number;
  totalSeconds: number;
  explicitSecondsPerIteration: number;
  rankingSecondsPerIteration: number;
  peakRssMiB: number;
}

export interface ScalingResult {
  points: ScalingPoint[];
  /** Fitted exponent e of seconds per iteration ∝ value^e, per variable and model. */
  exponents: Record<ScalingVariable, { explicit: number; ranking: number; total: number }>;
}

const BASE = SYNTHETIC_SIZES.ml1m;
const FACTORS = [16, 32, 64, 128];
const MULTIPLIERS = [0.25, 0.5, 1, 2];

/**
 * How retrain time grows: synthetic sets around the ml1m size, varying one of ratings, users
 * and movies (×¼ to ×2, the others fixed) or k (both models' factors), each retrained in its
 * own process; exponents are least-squares slopes in log–log.
 */
export async function measureScaling(
  seed: number,
  threads: number,
  progress: ProgressSink,
): Promise<ScalingResult> {
  const base = await run({ ...BASE }, undefined);
  const points: ScalingPoint[] = [];
  const variants: [ScalingVariable, (m: number) => SyntheticSize][] = [
    ['ratings', (m) => ({ ...BASE, ratings: Math.round(BASE.ratings * m) })],
    ['users', (m) => ({ ...BASE, users: Math.round(BASE.users * m) })],
    ['movies', (m) => ({ ...BASE, movies: Math.round(BASE.movies * m) })],
  ];
  for (const [variable, size] of variants) {
    for (const m of MULTIPLIERS) {
      const measured = m === 1 ? base : await run(size(m), undefined);
      points.push(
        point(
          variable,
          variable === 'ratings'
            ? measured.ratings
            : variable === 'users'
              ? measured.users
              : measured.movies,
          measured,
        ),
      );
    }
  }
  for (const k of FACTORS) {
    const measured = await run({ ...BASE }, k);
    points.push(point('k', k, measured));
  }
  const exponents = {} as ScalingResult['exponents'];
  for (const variable of ['ratings', 'users', 'movies', 'k'] as const) {
    const mine = points.filter((p) => p.variable === variable);
    exponents[variable] = {
      explicit: slope(mine.map((p) => [p.value, p.explicitSecondsPerIteration])),
      ranking: slope(mine.map((p) => [p.value, p.rankingSecondsPerIteration])),
      total: slope(mine.map((p) => [p.value, p.totalSeconds])),
    };
  }
  return { points, exponents };

  async function run(
    size: SyntheticSize,
    factors: number | undefined,
  ): Promise<RetrainMeasurement> {
    progress(`scaling: ${JSON.stringify(size)}${factors ? `, k = ${factors}` : ''}`);
    return runRetrainChild({ dataset: size, seed, threads, factors });
  }
}

function point(variable: ScalingVariable, value: number, m: RetrainMeasurement): ScalingPoint {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    variable,
    value,
    totalSeconds: m.totalSeconds,
    explicitSecondsPerIteration: mean(m.explicit.secondsPerIteration),
    rankingSecondsPerIteration: mean(m.ranking.secondsPerIteration),
    peakRssMiB: m.peakRssMiB,
  };
}

/** Least-squares slope of log(y) on log(x). */
export function slope(points: [number, number][]): number {
  const xs = points.map(([x]) => Math.log(x));
  const ys = points.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let n = 0; n < xs.length; n++) {
    num += (xs[n] - mx) * (ys[n] - my);
    den += (xs[n] - mx) ** 2;
  }
  return num / den;
}
