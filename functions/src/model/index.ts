/**
 * The recommender core: training, fold-in, ranking, baselines and model files. Pure: typed
 * arrays in, typed arrays out, randomness and clocks injected, no I/O.
 *
 * Two models share one item catalogue:
 * - the ranking model (weighted implicit ALS, {@link trainRanking}) orders what a person sees;
 * - the rating-prediction model (biased ALS with session biases, {@link trainExplicit}) gives
 *   the predicted stars shown beside each item.
 * {@link trainModelSet} trains both; {@link encodeModelFiles} / {@link decodeModelFiles} store
 * them; {@link Recommender} serves one version (fold-in, top-N, similar movies, popularity).
 */

export { ExplicitScratch } from './als/explicit-step.js';
export { ImplicitScratch } from './als/implicit-step.js';
export type {
  ExplicitConfig,
  GenreConfig,
  ModelConfig,
  ModelConfigOverrides,
  PopularityConfig,
  RankingConfig,
} from './config.js';
export { DEFAULT_MODEL_CONFIG, parseModelConfig, resolveModelConfig } from './config.js';
export type { ItemGenres } from './genres.js';
export { GenreSimilarity, genreWeight, itemGenres, MAX_GENRES } from './genres.js';
export type { DecodedModel, ModelManifest, ModelMetadata } from './model-files.js';
export {
  decodeModelFiles,
  encodeModelFiles,
  MANIFEST_FILE,
  MODEL_FORMAT,
} from './model-files.js';
export { mulberry32 } from './random.js';
export type { ItemSuccessors } from './sequence.js';
export { itemSuccessors, SequenceTerm, sequenceTermOn } from './sequence.js';
export type { ExplicitUser, RankingUser, UserItemRatings } from './serve/fold-in.js';
export { foldInExplicit, foldInRanking } from './serve/fold-in.js';
export type {
  FoldedUser,
  Recommendation,
  Recommendations,
  RecommendOptions,
  UserRating,
} from './serve/recommender.js';
export { Recommender } from './serve/recommender.js';
export { foldInSparkExplicit, foldInSparkRanking, SPARK_USER_STEP } from './serve/spark-fold-in.js';
export type { ItemFilter, ItemMetadata, TopN, TopNOptions } from './serve/top-n.js';
export { topNByFactors, topNByScores } from './serve/top-n.js';
export type { ItemKnn, ItemPopularity } from './train/baselines.js';
export {
  bayesianAverage,
  itemPopularity,
  popularityByCount,
  scoreItemKnn,
  trainItemKnn,
} from './train/baselines.js';
export type { Executor } from './train/executor.js';
export { createWorkerPool, serialExecutor } from './train/executor.js';
export type {
  ExplicitModel,
  IterationReport,
  TrainOptions,
  UserSessions,
} from './train/explicit.js';
export {
  explicitUserSide,
  predictTrained,
  sessionBiasAt,
  trainExplicit,
} from './train/explicit.js';
export type {
  ExplicitItemSide,
  ModelSet,
  RankingItemSide,
  SparkTrainer,
  TrainedModelSet,
} from './train/model-set.js';
export { successorsFor, trainModelSet } from './train/model-set.js';
export type { RankingModel } from './train/ranking.js';
export { rankingUserSide, trainRanking } from './train/ranking.js';
export type { Csr, RatingLayout } from './train/rating-layout.js';
export { buildLayout } from './train/rating-layout.js';
export type { Random, Ratings } from './types.js';
