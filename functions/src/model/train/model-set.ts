import type { ModelConfig } from '../config.js';
import type { ItemGenres } from '../genres.js';
import { type ItemSuccessors, itemSuccessors, sequenceTermOn } from '../sequence.js';
import type { SPARK_USER_STEP } from '../serve/spark-fold-in.js';
import type { Ratings } from '../types.js';
import { type ItemPopularity, itemPopularity } from './baselines.js';
import { type ExplicitModel, type TrainOptions, trainExplicit } from './explicit.js';
import { type RankingModel, trainRanking } from './ranking.js';
import { buildLayout } from './rating-layout.js';

/** What serving needs of the rating-prediction model: its item side. */
export type ExplicitItemSide = Pick<
  ExplicitModel,
  'k' | 'globalMean' | 'config' | 'itemFactors' | 'itemBiases' | 'implicitFactors'
>;

/** What serving needs of the ranking model: its item side. */
export type RankingItemSide = Pick<RankingModel, 'k' | 'config' | 'itemFactors' | 'itemWeights'>;

/**
 * Everything one model version holds, as model files store it: both models' item sides and
 * the popularity statistics, over the same items (row r is movie itemIds[r]).
 */
export interface ModelSet {
  readonly itemIds: Int32Array;
  readonly config: ModelConfig;
  readonly explicit: ExplicitItemSide;
  readonly ranking: RankingItemSide;
  readonly popularity: ItemPopularity;
  /** The items' genres, when the catalogue gave them (the served list's genre term). */
  readonly genres?: ItemGenres;
  /** What people rated next after each movie (the served list's sequence term), when it is on. */
  readonly successors?: ItemSuccessors;
  /** Set when Spark trained the model (its manifest's `trainer`): fold-in takes Spark's user step. */
  readonly trainer?: SparkTrainer;
}

/** A Spark-trained model's record of its trainer. */
export interface SparkTrainer {
  readonly engine: 'spark-mllib-als';
  readonly sparkVersion: string;
  readonly userStep: typeof SPARK_USER_STEP;
}

/** A freshly trained model set, user sides included. */
export interface TrainedModelSet extends ModelSet {
  readonly explicit: ExplicitModel;
  readonly ranking: RankingModel;
}

/**
 * Trains both models and gathers the popularity statistics and, with the sequence term on,
 * each movie's successors from one set of ratings (the layout is built once and shared).
 * `itemIds[i]` is the movie id of item index i.
 */
export async function trainModelSet(
  ratings: Ratings,
  itemIds: Int32Array,
  config: ModelConfig,
  options: TrainOptions,
): Promise<TrainedModelSet> {
  if (itemIds.length !== ratings.itemCount) {
    throw new RangeError(
      `train: ${itemIds.length} item ids for ${ratings.itemCount} items; pass one movie id per item index`,
    );
  }
  const layout = options.layout ?? buildLayout(ratings);
  const shared = { ...options, layout };
  const explicit = await trainExplicit(ratings, config.explicit, shared);
  const ranking = await trainRanking(ratings, config.ranking, shared);
  const successors = successorsFor(ratings, itemIds, config);
  return {
    itemIds,
    config,
    explicit,
    ranking,
    popularity: itemPopularity(ratings),
    ...(successors && { successors }),
  };
}

/** The successors a model set with `config` serves: none when the sequence term is off. */
export function successorsFor(
  ratings: Ratings,
  itemIds: Int32Array,
  config: ModelConfig,
): ItemSuccessors | undefined {
  return sequenceTermOn(config.genres)
    ? itemSuccessors(ratings, itemIds, config.genres)
    : undefined;
}
