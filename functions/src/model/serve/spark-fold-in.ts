import type { ExplicitSide } from '../als/explicit-step.js';
import type { ImplicitSide } from '../als/implicit-step.js';
import { choleskySubstitute } from '../als/linalg.js';
import type { RankingConfig } from '../config.js';
import {
  type ExplicitUser,
  type RankingUser,
  rankingEvidenceOf,
  sortByItem,
  type UserItemRatings,
} from './fold-in.js';

/**
 * Fold-in for models trained by the Spark trainer (pipelines/spark/train_job.py): the user
 * step of Spark MLlib's ALS, whose λ is scaled by the row's count (ALS-WR) and whose factors
 * are float32, instead of the in-process trainer's step. A model's manifest names its step
 * (`trainer.userStep`); the Recommender picks the matching fold-in.
 */
export const SPARK_USER_STEP = 'spark-als-wr';

/**
 * The ranking model's user step as MLlib's implicit ALS takes it, with the job's evidence:
 * each rating a cell of confidence 1 + w and preference 1 for a liked movie (0 otherwise),
 * every other movie confidence 1 and preference 0, and λ times the user's count of liked
 * movies:
 *
 *   (YᵀY + Σ_j w_j·y_j·y_jᵀ + λ·n₊·I) x = Σ_j (1 + w_j)·p_j·y_j.
 *
 * `side` is the model's {@link rankingUserSide}: with π = 1 and α₀ = 1 its Gram is YᵀY.
 */
export function foldInSparkRanking(
  side: ImplicitSide,
  config: RankingConfig,
  ratings: UserItemRatings,
): RankingUser {
  const { k, fixedFactors: y, gram } = side;
  const { sorted, weights, targets } = rankingEvidenceOf(config, ratings, side);
  const n = sorted.items.length;
  const a = gram.slice();
  const b = new Float64Array(k);
  const coefficients = new Float64Array(n);
  let liked = 0;
  for (let q = 0; q < n; q++) {
    const base = sorted.items[q] * k;
    addOuter(a, y, base, weights[q], k);
    coefficients[q] = (1 + weights[q]) * targets[q];
    if (targets[q] > 0) liked++;
    for (let d = 0; d < k; d++) b[d] += coefficients[q] * y[base + d];
  }
  for (let d = 0; d < k; d++) a[d * k + d] += side.regularization * liked;
  choleskyInPlace(a, k, 'ranking');
  choleskySubstitute(a, b, k);
  return { factors: b, items: sorted.items, coefficients, cholesky: a };
}

/**
 * The rating model's user step of the Spark trainer: the user's bias as the job's SQL computes
 * it, b_u = Σ(r − μ − b_i)/(λ_b + n), then MLlib's explicit step on the residuals,
 *
 *   (Σ_j q_j·q_jᵀ + λ·n·I) p = Σ_j (r_j − μ − b_u − b_j)·q_j.
 *
 * No session biases: the Spark path has none.
 */
export function foldInSparkExplicit(side: ExplicitSide, ratings: UserItemRatings): ExplicitUser {
  const { k, globalMean, fixedFactors: q, fixedBiases } = side;
  const sorted = sortByItem(ratings, fixedBiases.length);
  const n = sorted.items.length;
  let latest = Number.NaN;
  if (sorted.timestamps) for (const t of sorted.timestamps) if (!(t <= latest)) latest = t;
  const factors = new Float64Array(k);
  if (n === 0) return { factors, bias: 0, sessionBias: 0, sessionEnd: latest };
  let sum = 0;
  for (let j = 0; j < n; j++) sum += sorted.values[j] - globalMean - fixedBiases[sorted.items[j]];
  const bias = sum / (side.biasRegularization + n);
  const a = new Float64Array(k * k);
  for (let j = 0; j < n; j++) {
    const item = sorted.items[j];
    const residual = sorted.values[j] - globalMean - bias - fixedBiases[item];
    addOuter(a, q, item * k, 1, k);
    for (let d = 0; d < k; d++) factors[d] += residual * q[item * k + d];
  }
  for (let d = 0; d < k; d++) a[d * k + d] += side.regularization * n;
  choleskyInPlace(a, k, 'rating');
  choleskySubstitute(a, factors, k);
  return { factors, bias, sessionBias: 0, sessionEnd: latest };
}

/** a += c·v·vᵀ (lower triangle), v = rows[base .. base + k). */
function addOuter(a: Float64Array, rows: Float64Array, base: number, c: number, k: number): void {
  if (c === 0) return;
  for (let r = 0; r < k; r++) {
    const scaled = c * rows[base + r];
    for (let col = 0; col <= r; col++) a[r * k + col] += scaled * rows[base + col];
  }
}

/** Overwrites the lower triangle of A (k×k, row-major) with its Cholesky factor L. */
function choleskyInPlace(a: Float64Array, k: number, model: string): void {
  for (let j = 0; j < k; j++) {
    let diagonal = a[j * k + j];
    for (let p = 0; p < j; p++) diagonal -= a[j * k + p] ** 2;
    if (!(diagonal > 0)) {
      throw new Error(`spark fold-in: the ${model} model's user system is not positive definite`);
    }
    const l = Math.sqrt(diagonal);
    a[j * k + j] = l;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j];
      for (let p = 0; p < j; p++) s -= a[i * k + p] * a[j * k + p];
      a[i * k + j] = s / l;
    }
  }
}
