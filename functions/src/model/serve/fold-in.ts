import { rankingEvidence } from '../als/evidence.js';
import {
  ExplicitScratch,
  type ExplicitSide,
  type RatingSessions,
  solveExplicitRow,
} from '../als/explicit-step.js';
import { ImplicitScratch, type ImplicitSide, solveImplicitRow } from '../als/implicit-step.js';
import { assignSessions } from '../als/sessions.js';
import { type ExplicitModel, explicitUserSide } from '../train/explicit.js';

/**
 * One user's current ratings over model item indices (0 ≤ item < itemCount), any order, at
 * most one per item. Pass the ratings as they stand now: leave withdrawn ones out (the
 * id-level {@link Recommender.foldIn} does that for you and counts them).
 */
export interface UserItemRatings {
  readonly items: Int32Array;
  readonly values: Float32Array;
  /** Seconds since the epoch; needed for recency weighting and session biases. */
  readonly timestamps?: Float64Array;
}

/**
 * The ratings sorted by item (the trainer's order), validated. Ratings already in that order
 * (as {@link Recommender.foldIn} passes them) are returned as they are, after one pass.
 */
export function sortByItem(ratings: UserItemRatings, itemCount: number): UserItemRatings {
  const { items, values, timestamps } = ratings;
  const n = items.length;
  if (values.length !== n || (timestamps && timestamps.length !== n)) {
    throw new RangeError(
      `fold-in: items, values${timestamps ? ' and timestamps' : ''} differ in length ` +
        `(${n}, ${values.length}${timestamps ? `, ${timestamps.length}` : ''})`,
    );
  }
  let ascending = true;
  for (let q = 0; q < n; q++) {
    const item = items[q];
    if (!(item >= 0 && item < itemCount) || !Number.isInteger(item)) {
      throw new RangeError(`fold-in: item ${item} is outside 0..${itemCount - 1}`);
    }
    if (!Number.isFinite(values[q])) {
      throw new RangeError(`fold-in: the rating of item ${item} is ${values[q]}`);
    }
    if (q > 0 && !(item > items[q - 1])) ascending = false;
  }
  if (ascending) return ratings;
  // Each (item, position) packed into one exact integer item·n + position, so the typed
  // array's own numeric sort orders them: no comparator calls and no boxed numbers, which
  // were most of a long rating history's fold-in time and garbage.
  const keys = new Float64Array(n);
  for (let q = 0; q < n; q++) keys[q] = items[q] * n + q;
  keys.sort();
  const sorted = {
    items: new Int32Array(n),
    values: new Float32Array(n),
    timestamps: timestamps && new Float64Array(n),
  };
  for (let p = 0; p < n; p++) {
    const q = keys[p] % n;
    const item = (keys[p] - q) / n;
    if (p > 0 && item === sorted.items[p - 1]) {
      throw new RangeError(
        `fold-in: item ${item} is rated twice; pass one current rating per item`,
      );
    }
    sorted.items[p] = item;
    sorted.values[p] = values[q];
    if (sorted.timestamps && timestamps) sorted.timestamps[p] = timestamps[q];
  }
  return sorted;
}

/** A user folded into the ranking model, with what explaining a score needs. */
export interface RankingUser {
  /** x_u (k values). */
  readonly factors: Float64Array;
  /** The rated items, ascending. */
  readonly items: Int32Array;
  /** (α₀π_j + w_j)·p_j of each rated item: x_u = A⁻¹·Σ_j coefficient_j·y_j. */
  readonly coefficients: Float64Array;
  /** Cholesky factor L of the user's system A = L·Lᵀ (k × k, lower triangle). */
  readonly cholesky: Float64Array;
}

/**
 * A person's ratings sorted by movie row, with the ranking model's evidence of each
 * (confidence weight w_j and preference p_j, {@link rankingEvidence}): what both ranking
 * fold-ins (in-process and Spark) solve from.
 */
export function rankingEvidenceOf(
  config: Parameters<typeof rankingEvidence>[0],
  ratings: UserItemRatings,
  side: ImplicitSide,
) {
  const sorted = sortByItem(ratings, side.fixedFactors.length / side.k);
  const n = sorted.items.length;
  const weights = new Float32Array(n);
  const targets = new Float32Array(n);
  rankingEvidence(
    config,
    sorted.values,
    sorted.timestamps,
    0,
    n,
    weights,
    targets,
    new Float64Array(n),
  );
  return { sorted, weights, targets };
}

/**
 * Folds one user into the ranking model: their factors from their ratings with the item side
 * fixed, by the trainer's own user step (same function, same order), so the result equals the
 * trainer's user vector for the same ratings. `side` is the model's user side
 * ({@link rankingUserSide}, built once per model); pass the same `scratch` for every user of a
 * model version, so the item side is copied into the kernels' memory once.
 */
export function foldInRanking(
  side: ImplicitSide,
  config: Parameters<typeof rankingEvidence>[0],
  ratings: UserItemRatings,
  scratch: ImplicitScratch = new ImplicitScratch(side.k),
): RankingUser {
  const { k } = side;
  const { sorted, weights, targets } = rankingEvidenceOf(config, ratings, side);
  const n = sorted.items.length;
  const factors = new Float64Array(k);
  solveImplicitRow(side, sorted.items, weights, targets, 0, n, factors, 0, scratch);
  const coefficients = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    const pi = side.itemWeights ? side.itemWeights[sorted.items[q]] : 1;
    coefficients[q] = (side.unobservedWeight * pi + weights[q]) * targets[q];
  }
  return { factors, items: sorted.items, coefficients, cholesky: scratch.a.slice() };
}

/** A user folded into the rating-prediction model. */
export interface ExplicitUser {
  /** p_u (k values). */
  readonly factors: Float64Array;
  /** b_u. */
  readonly bias: number;
  /** Bias of the user's latest rating session (0 without timestamps or sessions). */
  readonly sessionBias: number;
  /** When the latest session's last rating was given (NaN without timestamps). */
  readonly sessionEnd: number;
}

/**
 * Folds one user into the rating-prediction model: bias, factors and session biases from
 * their ratings with the item side fixed, by the trainer's own user step. `side` is the
 * model's user side ({@link explicitUserSide}); pass the same one with the same `scratch`
 * for every user of a model version, so the item side is copied into the kernels' memory once.
 */
export function foldInExplicit(
  model: Pick<
    ExplicitModel,
    'k' | 'globalMean' | 'config' | 'itemFactors' | 'itemBiases' | 'implicitFactors'
  >,
  ratings: UserItemRatings,
  scratch: ExplicitScratch = new ExplicitScratch(model.k),
  side: ExplicitSide = explicitUserSide(model),
): ExplicitUser {
  const { k, config } = model;
  const sorted = sortByItem(ratings, model.itemBiases.length);
  const n = sorted.items.length;
  const factors = new Float64Array(k);
  const bias = new Float64Array(1);
  let sessions: RatingSessions | undefined;
  let sessionCount = 0;
  let latest = Number.NaN;
  if (sorted.timestamps && config.sessionGap !== null && n > 0) {
    const ofRating = new Int32Array(n);
    sessionCount = assignSessions(
      sorted.timestamps,
      0,
      n,
      config.sessionGap,
      0,
      ofRating,
      new Float64Array(n),
    );
    sessions = {
      ofRating,
      biases: new Float64Array(sessionCount),
      regularization: config.sessionRegularization,
    };
    for (const t of sorted.timestamps) if (!(t <= latest)) latest = t;
  }
  scratch.reserveSessions(sessionCount);
  solveExplicitRow(
    side,
    sorted.items,
    sorted.values,
    0,
    n,
    factors,
    bias,
    0,
    sessions,
    true,
    0,
    sessionCount,
    scratch,
  );
  return {
    factors,
    bias: bias[0],
    sessionBias: sessions && sessionCount > 0 ? sessions.biases[sessionCount - 1] : 0,
    sessionEnd: latest,
  };
}
