import type { GenreConfig } from '@reel/functions/model';
import type { RankingSummary } from '../eval/metrics.js';
import type { ProgressiveStep } from '../eval/protocol-f.js';
import { fixed, formatTable } from './table.js';

/** The terms of the served list's re-rank that the figures show on and off. */
export const RE_RANK_TERMS = ['genre', 'sequence'] as const;
export type ReRankTerm = (typeof RE_RANK_TERMS)[number];

type Metrics = Pick<RankingSummary, 'ndcg10' | 'recall20' | 'coverage10'>;

/** Protocol T's held-out metrics of the served list with one re-rank term on and off. */
export interface TermT {
  readonly term: ReRankTerm;
  readonly genres: GenreConfig;
  readonly on: Metrics;
  readonly off: Metrics;
}

/** Protocol F's progressive NDCG@10 with one re-rank term on and off, per n. */
export interface TermF {
  readonly term: ReRankTerm;
  readonly genres: GenreConfig;
  readonly steps: { n: number | 'all'; on: number; off: number }[];
}

export function termT(
  term: ReRankTerm,
  genres: GenreConfig,
  on: RankingSummary,
  off: RankingSummary,
): TermT {
  const pick = ({ ndcg10, recall20, coverage10 }: RankingSummary) => ({
    ndcg10,
    recall20,
    coverage10,
  });
  return { term, genres, on: pick(on), off: pick(off) };
}

export function termF(
  term: ReRankTerm,
  genres: GenreConfig,
  on: readonly ProgressiveStep[],
  off: readonly ProgressiveStep[],
): TermF {
  return {
    term,
    genres,
    steps: on.map((step, index) => ({ n: step.n, on: step.ndcg10, off: off[index].ndcg10 })),
  };
}

const TITLES: Record<ReRankTerm, (genres: GenreConfig) => string> = {
  genre: ({ weight, fadeRatings, candidates }) =>
    `genre term (weight ${weight}, halved after ${fadeRatings} ratings, re-orders the best ${candidates})`,
  sequence: (g) =>
    `sequence term (weight ${g.sequenceWeight}·n/(${g.sequenceRampRatings} + n) after n ratings, follows the latest ${g.sequenceRecent}, successors within ${g.sequenceWindow} ratings, ${g.sequenceKeep} kept a movie)`,
};

const title = (result: TermT | TermF) =>
  `${TITLES[result.term](result.genres)} on and off, held-out split`;

export function renderTermT(result: TermT): string[] {
  const row = (label: string, m: Metrics) => [
    label,
    fixed(m.ndcg10),
    fixed(m.recall20),
    fixed(m.coverage10),
  ];
  return [
    title(result),
    formatTable(
      [`${result.term} term`, 'NDCG@10', 'Recall@20', 'coverage@10'],
      [row('on', result.on), row('off', result.off)],
    ),
  ];
}

export function renderTermF(result: TermF): string[] {
  return [
    `${title(result)}: progressive NDCG@10`,
    formatTable(
      ['n', 'term on', 'term off', 'on − off'],
      result.steps.map((s) => [String(s.n), fixed(s.on), fixed(s.off), fixed(s.on - s.off)]),
    ),
  ];
}
