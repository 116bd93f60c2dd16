import {
  type Executor,
  type ExplicitConfig,
  type ExplicitModel,
  type IterationReport,
  mulberry32,
  predictTrained,
  type Ratings,
} from '@reel/functions/model';
import { type ProgressSink, silentProgress } from '../report/progress.js';
import { ratingErrors } from './metrics.js';
import { fitExplicit } from './models.js';
import { assignFolds, foldSplit, randomSplit, type Split, temporalSplit } from './splits.js';

export interface ProtocolROptions {
  readonly seed: number;
  readonly config: ExplicitConfig;
  readonly executor: Executor;
  /** Cross-validation folds; 0 skips cross-validation. */
  readonly folds: number;
  readonly trainFraction?: number;
  readonly progress?: ProgressSink;
}

export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  values: number[];
}

export interface ProtocolRResult {
  rmse: number;
  mae: number;
  /**
   * Protocol R-time: Protocol T's per-user temporal split, each test rating predicted at its
   * time from the user's earlier (train) ratings, the latest session's bias included while
   * that time is within the session gap of it. Absent when the ratings have no timestamps.
   */
  rmseTemporal?: number;
  maeTemporal?: number;
  temporalTestRatings?: number;
  trainSeconds: number;
  trainRatings: number;
  testRatings: number;
  /** Test ratings whose user or movie had no train rating (predicted from the biases they have). */
  coldTestRatings: number;
  iterations: IterationReport[];
  crossValidation?: { folds: number; rmse: MeanStd; mae: MeanStd };
}

/**
 * Protocol R: a seeded 80/20 per-rating split, RMSE and MAE on test with predictions clipped to
 * [0.5, 5]; a user or movie without train ratings keeps bias 0 and zero factors, so its
 * prediction falls back to the biases that exist. A prediction uses the (user, movie) pair and
 * the train data only, never the test rating's time. Then k-fold cross-validation, and
 * Protocol R-time (the temporal split, each test rating predicted at its time).
 */
export async function runProtocolR(
  ratings: Ratings,
  options: ProtocolROptions,
): Promise<ProtocolRResult> {
  const progress = options.progress ?? silentProgress;
  const split = randomSplit(ratings, options.trainFraction ?? 0.8, mulberry32(options.seed));
  progress(
    `protocol R: ${split.train.value.length} train / ${split.test.value.length} test ratings`,
  );
  const fit = { seed: options.seed, executor: options.executor };
  const { model, fitSeconds, iterations } = await fitExplicit(split.train, options.config, {
    ...fit,
    withLoss: true,
  });
  const errors = evaluate(model, split, false);
  const result: ProtocolRResult = {
    rmse: errors.rmse,
    mae: errors.mae,
    trainSeconds: fitSeconds,
    trainRatings: split.train.value.length,
    testRatings: split.test.value.length,
    coldTestRatings: coldCount(split),
    iterations,
  };
  if (ratings.timestamp) {
    const temporal = temporalSplit(ratings);
    const timed = await fitExplicit(temporal.train, options.config, fit);
    const temporalErrors = evaluate(timed.model, temporal, true);
    progress(`protocol R-time: RMSE ${temporalErrors.rmse.toFixed(4)}`);
    result.rmseTemporal = temporalErrors.rmse;
    result.maeTemporal = temporalErrors.mae;
    result.temporalTestRatings = temporal.test.value.length;
  }
  if (options.folds > 1) {
    const folds = assignFolds(ratings.value.length, options.folds, mulberry32(options.seed));
    const rmse: number[] = [];
    const mae: number[] = [];
    for (let fold = 0; fold < options.folds; fold++) {
      const foldData = foldSplit(ratings, folds, fold);
      const folded = await fitExplicit(foldData.train, options.config, fit);
      const errors = evaluate(folded.model, foldData, false);
      rmse.push(errors.rmse);
      mae.push(errors.mae);
      progress(`protocol R: fold ${fold + 1}/${options.folds} RMSE ${errors.rmse.toFixed(4)}`);
    }
    result.crossValidation = { folds: options.folds, rmse: meanStd(rmse), mae: meanStd(mae) };
  }
  return result;
}

/**
 * Errors of `model` on `split.test`; `atTestTime` passes each test rating's time, which only
 * the temporal split may (there every train rating of a user precedes their test ratings).
 */
function evaluate(model: ExplicitModel, split: Split, atTestTime: boolean) {
  const { test } = split;
  const predicted = new Float64Array(test.value.length);
  for (let n = 0; n < predicted.length; n++) {
    const t = atTestTime ? test.timestamp?.[n] : undefined;
    predicted[n] = predictTrained(model, test.user[n], test.item[n], t);
  }
  return ratingErrors(predicted, test.value);
}

function coldCount({ train, test }: Split): number {
  const userSeen = new Uint8Array(train.userCount);
  const itemSeen = new Uint8Array(train.itemCount);
  for (let n = 0; n < train.value.length; n++) {
    userSeen[train.user[n]] = 1;
    itemSeen[train.item[n]] = 1;
  }
  let cold = 0;
  for (let n = 0; n < test.value.length; n++) {
    if (!userSeen[test.user[n]] || !itemSeen[test.item[n]]) cold++;
  }
  return cold;
}

export function meanStd(values: number[]): MeanStd {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), values };
}
