/**
 * The recommender core: training, fold-in, ranking and model files. Pure: typed arrays in,
 * typed arrays out, randomness and clocks injected, no I/O.
 */
export type { ExplicitConfig, ModelConfig, PopularityConfig, RankingConfig } from './config.js';
export { DEFAULT_MODEL_CONFIG } from './config.js';
export type { Executor } from './executor.js';
export { createWorkerPool, serialExecutor } from './executor.js';
export type {
  ExplicitModel,
  IterationReport,
  TrainOptions,
  UserSessions,
} from './explicit.js';
export { predictTrained, sessionBiasAt, trainExplicit } from './explicit.js';
export type { Csr, RatingLayout } from './layout.js';
export { buildLayout } from './layout.js';
export { mulberry32 } from './random.js';
export type { RankingModel } from './ranking.js';
export { trainRanking } from './ranking.js';
export type { Random, Ratings } from './types.js';
