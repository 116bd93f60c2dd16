import type { GenreConfig } from '@reel/functions/model';
import type { RankingSummary } from '../eval/metrics.js';
import type { ProgressiveStep } from '../eval/protocol-f.js';
import { fixed, formatTable } from './table.js';

/** Protocol T's held-out metrics of the served list with its genre term on and off. */
export interface GenreTermT {
  readonly genres: GenreConfig;
  readonly on: Pick<RankingSummary, 'ndcg10' | 'recall20' | 'coverage10'>;
  readonly off: Pick<RankingSummary, 'ndcg10' | 'recall20' | 'coverage10'>;
}

/** Protocol F's progressive NDCG@10 with the genre term on and off, per n. */
export interface GenreTermF {
  readonly genres: GenreConfig;
  readonly steps: { n: number | 'all'; on: number; off: number }[];
}

export function genreTermT(
  genres: GenreConfig,
  on: RankingSummary,
  off: RankingSummary,
): GenreTermT {
  const pick = ({ ndcg10, recall20, coverage10 }: RankingSummary) => ({
    ndcg10,
    recall20,
    coverage10,
  });
  return { genres, on: pick(on), off: pick(off) };
}

export function genreTermF(
  genres: GenreConfig,
  on: readonly ProgressiveStep[],
  off: readonly ProgressiveStep[],
): GenreTermF {
  return {
    genres,
    steps: on.map((step, index) => ({ n: step.n, on: step.ndcg10, off: off[index].ndcg10 })),
  };
}

const title = ({ weight, fadeRatings, candidates }: GenreConfig) =>
  `genre term (weight ${weight}, halved after ${fadeRatings} ratings, re-orders the best ${candidates}) on and off, held-out split`;

export function renderGenreTermT(result: GenreTermT): string[] {
  const row = (label: string, m: GenreTermT['on']) => [
    label,
    fixed(m.ndcg10),
    fixed(m.recall20),
    fixed(m.coverage10),
  ];
  return [
    title(result.genres),
    formatTable(
      ['genre term', 'NDCG@10', 'Recall@20', 'coverage@10'],
      [row('on', result.on), row('off', result.off)],
    ),
  ];
}

export function renderGenreTermF(result: GenreTermF): string[] {
  return [
    `${title(result.genres)}: progressive NDCG@10`,
    formatTable(
      ['n', 'term on', 'term off', 'on − off'],
      result.steps.map((s) => [String(s.n), fixed(s.on), fixed(s.off), fixed(s.on - s.off)]),
    ),
  ];
}
