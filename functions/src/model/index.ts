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
export type { ItemKnn, ItemPopularity } from './baselines.js';
export {
  bayesianAverage,
  itemPopularity,
  popularityByCount,
  scoreItemKnn,
  trainItemKnn,
} from './baselines.js';
export type {
  ExplicitConfig,
  GenreConfig,
  ModelConfig,
  ModelConfigOverrides,
  PopularityConfig,
  RankingConfig,
} from './config.js';
export { DEFAULT_MODEL_CONFIG, parseModelConfig, resolveModelConfig } from './config.js';
export type { Executor } from './executor.js';
export { createWorkerPool, serialExecutor } from './executor.js';
export type {
  ExplicitModel,
  IterationReport,
  TrainOptions,
  UserSessions,
} from './explicit.js';
export { explicitUserSide, predictTrained, sessionBiasAt, trainExplicit } from './explicit.js';
export { ExplicitScratch } from './explicit-step.js';
export type { ExplicitUser, RankingUser, UserItemRatings } from './fold-in.js';
export { foldInExplicit, foldInRanking } from './fold-in.js';
export type { ItemGenres } from './genres.js';
export { GenreSimilarity, genreWeight, itemGenres, MAX_GENRES } from './genres.js';
export { ImplicitScratch } from './implicit-step.js';
export type { Csr, RatingLayout } from './layout.js';
export { buildLayout } from './layout.js';
export type { DecodedModel, ModelManifest, ModelMetadata } from './model-files.js';
export {
  decodeModelFiles,
  encodeModelFiles,
  MANIFEST_FILE,
  MODEL_FORMAT,
} from './model-files.js';
export type {
  ExplicitItemSide,
  ModelSet,
  RankingItemSide,
  SparkTrainer,
  TrainedModelSet,
} from './model-set.js';
export { trainModelSet } from './model-set.js';
export { mulberry32 } from './random.js';
export type { RankingModel } from './ranking.js';
export { rankingUserSide, trainRanking } from './ranking.js';
export type {
  FoldedUser,
  Recommendation,
  Recommendations,
  RecommendOptions,
  UserRating,
} from './recommender.js';
export { Recommender } from './recommender.js';
export { foldInSparkExplicit, foldInSparkRanking, SPARK_USER_STEP } from './spark-fold-in.js';
export type { ItemFilter, ItemMetadata, TopN, TopNOptions } from './top-n.js';
export { topNByFactors, topNByScores } from './top-n.js';
export type { Random, Ratings } from './types.js';
