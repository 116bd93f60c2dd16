import {
  type Executor,
  type ExplicitConfig,
  type GenreConfig,
  type ItemGenres,
  type ItemSuccessors,
  itemPopularity,
  itemSuccessors,
  type ModelConfig,
  mulberry32,
  popularityByCount,
  predictTrained,
  type RankingConfig,
  type Ratings,
  Recommender,
  sequenceTermOn,
  topNByFactors,
  topNByScores,
} from '@reel/functions/model';
import { fitModelSet, servedRanker } from '../eval/contenders.js';
import { genreFans } from '../eval/genre-fans.js';
import { type RankingSummary, ratingErrors } from '../eval/metrics.js';
import { fitExplicit, fitRanking } from '../eval/models.js';
import { progressive } from '../eval/protocol-f.js';
import { type RankingTask, rankAll, rankingTask, scoreLists } from '../eval/protocol-t.js';
import { randomSplit, type Split, temporalSplit } from '../eval/splits.js';
import type { Dimension } from './search.js';

/**
 * The validation splits tuning uses, carved from each protocol's TRAIN split only (the test
 * splits are never read): Protocol R's seeded 80/20 train, split again 80/20 with another
 * seed; Protocol T's temporal train, split again per user by time (its last 20% validate).
 */
export function validationSplits(
  ratings: Ratings,
  seed: number,
): { rating: Split; ranking: Split } {
  const ratingTrain = randomSplit(ratings, 0.8, mulberry32(seed)).train;
  const rankingTrain = temporalSplit(ratings).train;
  return {
    rating: randomSplit(ratingTrain, 0.8, mulberry32(seed + 1)),
    ranking: temporalSplit(rankingTrain),
  };
}

/**
 * Validation RMSE of the explicit model (negated: the search maximises), as Protocol R scores
 * it: from the (user, movie) pair only, never the validation rating's time.
 */
export function explicitObjective(
  split: Split,
  options: { seed: number; executor: Executor },
): (config: ExplicitConfig) => Promise<number> {
  // Without sessions their penalty changes nothing: configs differing only there share a fit.
  const scores = new Map<string, number>();
  return async (config) => {
    const key = JSON.stringify(
      config.sessionGap === null ? { ...config, sessionRegularization: null } : config,
    );
    const known = scores.get(key);
    if (known !== undefined) return known;
    const { model } = await fitExplicit(split.train, config, options);
    const { test } = split;
    const predicted = new Float64Array(test.value.length);
    for (let n = 0; n < predicted.length; n++) {
      predicted[n] = predictTrained(model, test.user[n], test.item[n]);
    }
    const score = -ratingErrors(predicted, test.value).rmse;
    scores.set(key, score);
    return score;
  };
}

/** Protocol T's targets relative to popularity, which the tuned ranking model must keep. */
export const RANKING_CONSTRAINTS = { recall20VsPopularity: 1.6, coverage10VsPopularity: 5 };

/**
 * On the validation split the targets must hold with this margin: a config chosen at the edge
 * of the validation constraint lands on either side of it on held-out data.
 */
export const VALIDATION_MARGIN = 1.1;

/**
 * Validation NDCG@10 of the ranking model (Protocol T's definition on the validation split),
 * less 1 when the list misses Protocol T's other targets on that split, with VALIDATION_MARGIN
 * (Recall@20 ≥ 1.1·1.6× and coverage@10 ≥ 1.1·5× popularity's): NDCG alone would let a cheaper model trade catalogue
 * coverage for a sliver of accuracy, so any config that meets them beats every one that does not.
 */
export function rankingObjective(
  split: Split,
  options: { seed: number; executor: Executor },
): (config: RankingConfig) => Promise<number> {
  const task = rankingTask(split.train, split);
  const popular = popularitySummary(task, split);
  return async (config) => {
    const { model } = await fitRanking(split.train, config, options);
    const { k, itemFactors, userFactors } = model;
    // The trained user vectors are what fold-in gives (Protocol F checks it), so this ranks as
    // the served list does, short of its popularity fallback for users with no liked movie.
    const lists = rankAll(task, (user, exclude, count) => {
      const factors = userFactors.subarray(user * k, (user + 1) * k);
      return topNByFactors(itemFactors, k, factors, undefined, { count, exclude }).items;
    });
    const summary = scoreLists(task, lists);
    return meetsRankingConstraints(summary, popular) ? summary.ndcg10 : summary.ndcg10 - 1;
  };
}

/** Protocol T's popularity baseline (count in train) on the validation split. */
function popularitySummary(task: RankingTask, split: Split): RankingSummary {
  const scores = popularityByCount(itemPopularity(split.train));
  return scoreLists(
    task,
    rankAll(task, (_user, exclude, count) => topNByScores(scores, { count, exclude }).items),
  );
}

/** Recall@20 and coverage@10 against popularity's, with VALIDATION_MARGIN. */
function meetsRankingConstraints(summary: RankingSummary, popular: RankingSummary): boolean {
  const { recall20VsPopularity, coverage10VsPopularity } = RANKING_CONSTRAINTS;
  return (
    summary.recall20 >= VALIDATION_MARGIN * recall20VsPopularity * popular.recall20 &&
    summary.coverage10 >= VALIDATION_MARGIN * coverage10VsPopularity * popular.coverage10
  );
}

/** The explicit model's grid. Cost dimensions list their cheapest value first. */
export const EXPLICIT_GRID: Dimension<ExplicitConfig>[] = [
  { key: 'sessionGap', values: [300, 600, 1800, 3600, 86_400, null] },
  { key: 'implicitRegularization', values: [null, 10, 30, 100, 300, 1000] },
  { key: 'regularization', values: [0.3, 0.5, 0.7, 1, 1.4, 2, 3, 5] },
  { key: 'frequencyExponent', values: [0, 0.25, 0.5, 0.75, 1] },
  { key: 'biasRegularization', values: [1, 2, 5, 10, 20] },
  { key: 'biasFrequencyExponent', values: [0, 0.5, 1] },
  { key: 'sessionRegularization', values: [1, 2, 5, 10, 20] },

  { key: 'factors', values: [8, 16, 32, 64], cost: true },
  { key: 'iterations', values: [5, 10, 15, 20, 25, 30], cost: true },
  { key: 'implicitSteps', values: [1, 2, 3, 5], cost: true },
];

/**
 * The ranking model's grid. α₀ (unobservedWeight) stays at its default: scaling α, α₀ and λ
 * together leaves the solution unchanged, so tuning α and λ covers it. cgSteps is a cost
 * dimension: a few conjugate-gradient steps (cheapest) before exact solves (0, dearest).
 */
export const RANKING_GRID: Dimension<RankingConfig>[] = [
  { key: 'regularization', values: [0.05, 0.1, 0.15, 0.2, 0.3, 1, 3, 10] },
  // Down to where the lists miss Protocol T's constraints, so the choice is not the grid's edge.
  { key: 'alpha', values: [0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 10] },
  { key: 'frequencyExponent', values: [0, 0.25, 0.5, 0.75, 1] },
  { key: 'unobservedExponent', values: [0, 0.25, 0.5] },
  { key: 'positiveThreshold', values: [2.5, 3, 3.5, 4] },
  { key: 'ratingSlope', values: [0, 0.1, 0.15, 0.25, 0.5, 1] },
  { key: 'negativeWeight', values: [0, 0.25, 0.35, 0.45, 0.6, 1] },
  { key: 'recencyHalfLife', values: [2, 3, 4, 5, 10, 20, null] },
  { key: 'recencyFloor', values: [0, 0.1, 0.2, 0.3, 0.5] },
  {
    key: 'factors',
    values: [32, 64],
    cost: true,
    bound:
      "k ≤ 64: Protocol F's fold-in cost target (p50 ≤ 1 ms, p99 ≤ 3 ms at 10k movies) is set at k = 64, and fold-in serves every card",
  },
  { key: 'iterations', values: [6, 8, 10, 12, 16], cost: true },
  { key: 'cgSteps', values: [2, 3, 5, 0], cost: true },
];

/**
 * What the genre term must do, besides not costing accuracy: lists for fans of at least this
 * share of the common genres are mostly (more than half) their genre (genre-fans.ts), and
 * Protocol F's progressive curve still beats popularity from n = 3 on, by VALIDATION_MARGIN;
 * and the served list keeps Protocol T's targets (meetsRankingConstraints).
 */
export const GENRE_CONSTRAINTS = { fanGenresMostlyTheirs: 0.75 };

/**
 * Validation NDCG@10 of the served list with a genre term, averaged over Protocol F's
 * progressive steps n = 1, 3, 5, 10, 20 and all (n = 0 is the popularity list, which the term
 * does not touch): the term is for people with few ratings, so it is judged where they are.
 * Less 1 where GENRE_CONSTRAINTS are not met on the same split (n = 3 on at least
 * VALIDATION_MARGIN × popularity's NDCG@10). Both models are trained once,
 * with `config`; only the served list changes per trial.
 */
export async function genreObjective(
  split: Split,
  config: ModelConfig,
  options: { seed: number; executor: Executor; movieIds: Int32Array; genres: ItemGenres },
): Promise<(genres: GenreConfig) => Promise<number>> {
  const task = rankingTask(split.train, split);
  const popularList = popularitySummary(task, split);
  const { set } = await fitModelSet(split.train, config, options);
  // Successors depend on the window and how many are kept; trials sharing those share them.
  const successors = new Map<string, ItemSuccessors | undefined>();
  const successorsOf = (genres: GenreConfig) => {
    const key = `${genres.sequenceWindow}/${genres.sequenceKeep}`;
    if (!successors.has(key)) {
      successors.set(key, itemSuccessors(split.train, options.movieIds, genres));
    }
    return successors.get(key);
  };
  return async (genres) => {
    const { successors: _, ...rest } = set;
    const sequence = sequenceTermOn(genres) ? successorsOf(genres) : undefined;
    const recommender = new Recommender({
      ...rest,
      config: { ...set.config, genres },
      ...(sequence && { successors: sequence }),
    });
    const steps = progressive(task, recommender, options.movieIds);
    const popular = steps.find((step) => step.n === 0)?.ndcg10 ?? 0;
    const personal = steps.filter((step) => step.n !== 0);
    const score = personal.reduce((sum, step) => sum + step.ndcg10, 0) / personal.length;
    const beatsPopular = personal
      .filter((step) => step.n === 'all' || step.n >= 3)
      .every((step) => step.ndcg10 >= VALIDATION_MARGIN * popular);
    const fans = genreFans(recommender, options.genres);
    const mostlyTheirs = fans.filter((fan) => fan.share > 0.5).length;
    const fansServed = mostlyTheirs >= GENRE_CONSTRAINTS.fanGenresMostlyTheirs * fans.length;
    // The re-rank changes everyone's list, not only newcomers': Protocol T's targets still hold.
    const served = scoreLists(
      task,
      rankAll(task, servedRanker(task, recommender, options.movieIds)),
    );
    const keepsRanking = meetsRankingConstraints(served, popularList);
    return beatsPopular && fansServed && keepsRanking ? score : score - 1;
  };
}

/**
 * Where every search starts, each value on its grid (knobs outside the grids are kept as they
 * are): `npm run tune` from here is what DEFAULT_MODEL_CONFIG records, so re-running it
 * reproduces the defaults.
 */
export const TUNING_START: ModelConfig = {
  explicit: {
    factors: 16,
    iterations: 20,
    regularization: 1.4,
    biasRegularization: 5,
    frequencyExponent: 0.5,
    biasFrequencyExponent: 0,
    sessionGap: 600,
    sessionRegularization: 5,
    implicitRegularization: null,
    implicitSteps: 5,
    initScale: 0.1,
  },
  ranking: {
    factors: 64,
    iterations: 10,
    regularization: 0.15,
    frequencyExponent: 0.5,
    unobservedWeight: 1,
    unobservedExponent: 0,
    alpha: 1.25,
    positiveThreshold: 4,
    ratingSlope: 0.15,
    negativeWeight: 0.45,
    recencyHalfLife: 4,
    recencyFloor: 0.2,
    cgSteps: 2,
    initScale: 0.01,
  },
  popularity: { priorCount: 10 },
  genres: {
    weight: 0.6,
    fadeRatings: 20,
    candidates: 50,
    popularityWeight: 0,
    popularityFadeRatings: 20,
    sequenceWeight: 0,
    sequenceRampRatings: 20,
    sequenceRecent: 5,
    sequenceWindow: 10,
    sequenceKeep: 50,
  },
};

/**
 * The re-rank's grid. Cost knobs: more candidates cost more rescoring per request; a wider
 * window more pairs to count in training; more successors kept a larger model.
 */
export const GENRE_GRID: Dimension<GenreConfig>[] = [
  { key: 'weight', values: [0, 0.2, 0.4, 0.6, 0.8, 1, 1.5, 2] },
  { key: 'fadeRatings', values: [2, 5, 10, 20, 50] },
  { key: 'candidates', values: [50, 100, 200], cost: true },
  { key: 'popularityWeight', values: [0, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2] },
  { key: 'popularityFadeRatings', values: [2, 5, 10, 20, 50] },
  { key: 'sequenceWeight', values: [0, 0.2, 0.4, 0.8, 1.6, 3.2] },
  { key: 'sequenceRampRatings', values: [2, 5, 10, 20, 50, 100] },
  { key: 'sequenceRecent', values: [1, 3, 5, 10, 20] },
  { key: 'sequenceWindow', values: [1, 3, 5, 10, 20], cost: true },
  { key: 'sequenceKeep', values: [20, 50, 100, 200], cost: true },
];
