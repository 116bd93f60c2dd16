import type { ExplicitSide } from '../als/explicit-step.js';
import { assignSessions, upperBound } from '../als/sessions.js';
import type { ExplicitConfig } from '../config.js';
import type { Random, Ratings } from '../types.js';
import { balancedChunks, fillUniform } from './chunks.js';
import { type Executor, serialExecutor } from './executor.js';
import { fitImplicitFactors, implicitFeedbackState } from './implicit-feedback.js';
import type { ExplicitLossArgs, ExplicitRowsArgs } from './parallel-kernels.js';
import {
  buildLayout,
  type Csr,
  gatherFloat32,
  type RatingLayout,
  sharedFloat64,
  sharedInt32,
} from './rating-layout.js';

/** The rating sessions of every user of the training data and their biases. */
export interface UserSessions {
  /** User u's sessions are starts[u] ≤ s < starts[u+1], in time order. */
  readonly starts: Int32Array;
  readonly biases: Float64Array;
  /** Timestamp of each session's first and last rating. */
  readonly firstTime: Float64Array;
  readonly lastTime: Float64Array;
}

/**
 * A trained rating-prediction model: r̂(u, i, t) = μ + b_u + s_u(t) + b_i + p_u·q_i, where, with
 * implicit feedback, p_u is shrunk toward n^-½·Σ_{j rated by u} y_j rather than toward 0.
 */
export interface ExplicitModel {
  readonly k: number;
  readonly globalMean: number;
  readonly config: ExplicitConfig;
  /** q_i, items × k row-major. */
  readonly itemFactors: Float64Array;
  readonly itemBiases: Float64Array;
  /** y_j, items × k, when implicit feedback is on (config.implicitRegularization). */
  readonly implicitFactors?: Float64Array;
  /** p_u, users × k: exactly the user step against the final item side (what fold-in gives). */
  readonly userFactors: Float64Array;
  readonly userBiases: Float64Array;
  /** Present when the ratings had timestamps and session biases are on. */
  readonly sessions?: UserSessions;
}

/** One training iteration, as reported to {@link TrainOptions.onIteration}. */
export interface IterationReport {
  readonly model: 'explicit' | 'ranking';
  /** 1-based. */
  readonly iteration: number;
  /** Wall-clock seconds the iteration's solves took (the loss is computed outside it). */
  readonly seconds: number;
  /** The regularised training objective divided by the number of ratings. */
  readonly loss: number;
  /** Root-mean-square error on the training ratings (explicit model only). */
  readonly trainRmse?: number;
}

export interface TrainOptions {
  readonly random: Random;
  /** Where the row solves run; {@link serialExecutor} by default. */
  readonly executor?: Executor;
  /** Called after every iteration; the loss is only computed when this is given. */
  readonly onIteration?: (report: IterationReport) => void;
  /** A layout of the same ratings already built (training both models shares one). */
  readonly layout?: RatingLayout;
  /** Seconds on a monotonic clock (injected so tests can fix it); performance.now()/1000 by default. */
  readonly clock?: () => number;
}

/** TrainOptions' layout, executor and clock, their defaults filled in. */
export function trainingSetup(ratings: Ratings, options: TrainOptions) {
  return {
    layout: options.layout ?? buildLayout(ratings),
    executor: options.executor ?? serialExecutor,
    clock: options.clock ?? (() => performance.now() / 1000),
  };
}

/** Chunks per side: enough for two to eight threads to balance, few enough to sum quickly. */
export const CHUNK_COUNT = 64;

/** The item side of an explicit model, as fold-in and the user step need it. */
export function explicitUserSide(
  model: Pick<
    ExplicitModel,
    'k' | 'globalMean' | 'config' | 'itemFactors' | 'itemBiases' | 'implicitFactors'
  >,
): ExplicitSide {
  if (model.config.implicitRegularization !== null && !model.implicitFactors) {
    throw new Error('explicit model: implicit feedback is on but the item side has no y factors');
  }
  return sideOf(
    model.config,
    model.k,
    model.globalMean,
    model.itemFactors,
    model.itemBiases,
    model.implicitFactors,
  );
}

function sideOf(
  config: ExplicitConfig,
  k: number,
  globalMean: number,
  fixedFactors: Float64Array,
  fixedBiases: Float64Array,
  implicitFactors?: Float64Array,
): ExplicitSide {
  return {
    k,
    globalMean,
    regularization: config.regularization,
    biasRegularization: config.biasRegularization,
    frequencyExponent: config.frequencyExponent,
    biasFrequencyExponent: config.biasFrequencyExponent,
    fixedFactors,
    fixedBiases,
    ...(implicitFactors && { implicitFactors }),
  };
}

/** Whether a model trained with `config` on `ratings` has session biases. */
export function usesSessions(config: ExplicitConfig, ratings: Pick<Ratings, 'timestamp'>): boolean {
  return ratings.timestamp !== undefined && config.sessionGap !== null;
}

/**
 * Trains biased matrix factorisation with session biases by alternating least squares. Each
 * iteration solves every item exactly with the users fixed, then every user (bias, factors and
 * session biases) with the items fixed, so the returned user vectors are exactly what fold-in
 * computes. Deterministic for a given `random`.
 */
export async function trainExplicit(
  ratings: Ratings,
  config: ExplicitConfig,
  options: TrainOptions,
): Promise<ExplicitModel> {
  const { layout, executor, clock } = trainingSetup(ratings, options);
  const { userCount, itemCount } = ratings;
  const k = config.factors;
  const ratingCount = ratings.value.length;
  let sum = 0;
  for (let n = 0; n < ratingCount; n++) sum += ratings.value[n];
  const globalMean = ratingCount > 0 ? sum / ratingCount : 0;

  const userFactors = sharedFloat64(userCount * k);
  const userBiases = sharedFloat64(userCount);
  const itemFactors = sharedFloat64(itemCount * k);
  const itemBiases = sharedFloat64(itemCount);
  fillUniform(userFactors, config.initScale, options.random);
  const implicitFactors =
    config.implicitRegularization === null ? undefined : sharedFloat64(itemCount * k);

  const feedback =
    implicitFactors &&
    implicitFeedbackState(implicitFactors, userFactors, layout, k, config, CHUNK_COUNT);
  const sessions = usesSessions(config, ratings)
    ? userSessions(config, layout, ratings)
    : undefined;
  const rowCost = k * k;
  const items = {
    chunkStarts: balancedChunks(layout.byItem.offsets, CHUNK_COUNT, rowCost),
    offsets: layout.byItem.offsets,
    indices: layout.byItem.indices,
    values: gatherFloat32(layout.byItem, ratings.value),
  };
  const users = {
    chunkStarts: balancedChunks(layout.byUser.offsets, CHUNK_COUNT, rowCost),
    offsets: layout.byUser.offsets,
    indices: layout.byUser.indices,
    values: gatherFloat32(layout.byUser, ratings.value),
  };

  for (let iteration = 1; iteration <= config.iterations; iteration++) {
    const started = clock();
    const itemArgs: ExplicitRowsArgs = {
      ...items,
      side: sideOf(config, k, globalMean, userFactors, userBiases),
      factors: itemFactors,
      biases: itemBiases,
      sessions: sessions && { ...sessions.byItem, regularization: config.sessionRegularization },
      maxSessions: 0,
    };
    await executor.run('explicitRows', itemArgs, items.chunkStarts.length - 1);
    // y from the previous user step (the first user step has only the random start to give).
    if (feedback && iteration > 1) {
      await fitImplicitFactors(feedback, executor, config.implicitSteps);
    }
    const userArgs: ExplicitRowsArgs = {
      ...users,
      side: sideOf(config, k, globalMean, itemFactors, itemBiases, implicitFactors),
      factors: userFactors,
      biases: userBiases,
      sessions: sessions && { ...sessions.byUser, regularization: config.sessionRegularization },
      sessionStarts: sessions?.starts,
      maxSessions: sessions?.maxSessions ?? 0,
    };
    await executor.run('explicitRows', userArgs, users.chunkStarts.length - 1);
    const seconds = clock() - started;
    if (options.onIteration) {
      const chunkCount = users.chunkStarts.length - 1;
      const lossArgs: ExplicitLossArgs = {
        ...userArgs,
        partials: sharedFloat64(2 * chunkCount),
      };
      await executor.run('explicitLoss', lossArgs, chunkCount);
      let squaredError = 0;
      let penalty = 0;
      for (let c = 0; c < chunkCount; c++) {
        squaredError += lossArgs.partials[2 * c];
        penalty += lossArgs.partials[2 * c + 1];
      }
      penalty += explicitPenalty(config, k, itemFactors, itemBiases, layout.byItem);
      if (sessions) {
        for (const bias of sessions.biases) penalty += config.sessionRegularization * bias * bias;
      }
      if (implicitFactors && config.implicitRegularization !== null) {
        for (const y of implicitFactors) penalty += config.implicitRegularization * y * y;
      }
      options.onIteration({
        model: 'explicit',
        iteration,
        seconds,
        loss: (squaredError + penalty) / Math.max(1, ratingCount),
        trainRmse: Math.sqrt(squaredError / Math.max(1, ratingCount)),
      });
    }
  }
  return {
    k,
    globalMean,
    config,
    itemFactors,
    itemBiases,
    ...(implicitFactors && { implicitFactors }),
    userFactors,
    userBiases,
    sessions: sessions && {
      starts: sessions.starts,
      biases: sessions.biases,
      firstTime: sessions.firstTime,
      lastTime: sessions.lastTime,
    },
  };
}

/** Sessions of every user: ids per rating in both layouts, starts per user, time spans. */
function userSessions(config: ExplicitConfig, layout: RatingLayout, ratings: Ratings) {
  const { byUser, byItem } = layout;
  const n = ratings.value.length;
  const timestamps = new Float64Array(n);
  const source = byUser.source;
  for (let p = 0; p < n; p++) timestamps[p] = ratings.timestamp![source[p]];
  const ofRatingByUser = sharedInt32(n);
  const starts = sharedInt32(byUser.rowCount + 1);
  const sortedTimes = new Float64Array(longestRow(byUser));
  let total = 0;
  let maxSessions = 0;
  for (let u = 0; u < byUser.rowCount; u++) {
    const { offsets } = byUser;
    const count = assignSessions(
      timestamps,
      offsets[u],
      offsets[u + 1],
      config.sessionGap ?? 0,
      total,
      ofRatingByUser,
      sortedTimes,
    );
    total += count;
    maxSessions = Math.max(maxSessions, count);
    starts[u + 1] = total;
  }
  const firstTime = new Float64Array(total).fill(Number.POSITIVE_INFINITY);
  const lastTime = new Float64Array(total).fill(Number.NEGATIVE_INFINITY);
  const ofRating = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const s = ofRatingByUser[p];
    firstTime[s] = Math.min(firstTime[s], timestamps[p]);
    lastTime[s] = Math.max(lastTime[s], timestamps[p]);
    ofRating[source[p]] = s;
  }
  const ofRatingByItem = sharedInt32(n);
  for (let p = 0; p < n; p++) ofRatingByItem[p] = ofRating[byItem.source[p]];
  const biases = sharedFloat64(total);
  return {
    starts,
    biases,
    firstTime,
    lastTime,
    maxSessions,
    byUser: { ofRating: ofRatingByUser, biases },
    byItem: { ofRating: ofRatingByItem, biases },
  };
}

function longestRow(csr: Csr): number {
  let longest = 0;
  for (let r = 0; r < csr.rowCount; r++) {
    longest = Math.max(longest, csr.offsets[r + 1] - csr.offsets[r]);
  }
  return longest;
}

function explicitPenalty(
  config: ExplicitConfig,
  k: number,
  factors: Float64Array,
  biases: Float64Array,
  byItem: Csr,
): number {
  let penalty = 0;
  for (let row = 0; row < biases.length; row++) {
    let norm = 0;
    for (let d = 0; d < k; d++) norm += factors[row * k + d] ** 2;
    const count = byItem.offsets[row + 1] - byItem.offsets[row];
    penalty +=
      config.regularization * count ** config.frequencyExponent * norm +
      config.biasRegularization * count ** config.biasFrequencyExponent * biases[row] ** 2;
  }
  return penalty;
}

/**
 * The bias of user `user`'s session that a rating at time `t` would continue: the latest session
 * starting at or before t, if t is within the session gap of its last rating; 0 otherwise. Only
 * an honest prediction when every training rating of the user precedes t (Protocol R-time, or
 * serving), as the bias was fitted to that session's ratings.
 */
export function sessionBiasAt(model: ExplicitModel, user: number, t: number): number {
  const { sessions } = model;
  if (!sessions) return 0;
  const first = sessions.starts[user];
  const count = sessions.starts[user + 1] - first;
  const gap = model.config.sessionGap ?? 0;
  // Sessions are in time order: find the last one starting at or before t.
  const at = upperBound(sessions.firstTime.subarray(first, first + count), count, t) - 1;
  if (at >= 0 && t - sessions.lastTime[first + at] <= gap) return sessions.biases[first + at];
  return 0;
}

/**
 * The trained model's predicted rating of user `user` for item `item`, unclipped. Pass `t`
 * only when predicting a rating at time t that follows all of the user's training ratings
 * (see {@link sessionBiasAt}); Protocol R's random split must not.
 */
export function predictTrained(
  model: ExplicitModel,
  user: number,
  item: number,
  t?: number,
): number {
  const { k, userFactors, itemFactors } = model;
  let dot = 0;
  for (let d = 0; d < k; d++) dot += userFactors[user * k + d] * itemFactors[item * k + d];
  const session = t === undefined ? 0 : sessionBiasAt(model, user, t);
  return model.globalMean + model.userBiases[user] + session + model.itemBiases[item] + dot;
}
