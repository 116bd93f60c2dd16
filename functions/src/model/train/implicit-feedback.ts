import type { ExplicitConfig } from '../config.js';
import { balancedChunks } from './chunks.js';
import type { Executor } from './executor.js';
import { type RatingLayout, sharedFloat64 } from './rating-layout.js';

/**
 * The y step of the explicit model (explicit.ts), as chunk kernels for the executor: with the
 * user factors p fixed, the implicit item factors y_j that minimise
 *
 *   Σ_u w_u·‖p_u − c_u·Σ_{j∈R(u)} y_j‖² + λ_y·Σ_j ‖y_j‖²,   w_u = λ·n_u^ν, c_u = n_u^-½,
 *
 * (the part of the training objective that involves y), by steps of Jacobi-preconditioned
 * conjugate gradients from the current y, each of the k columns its own system with the same
 * matrix M = AᵀWA + λ_y·I (A: users × items, c_u where u rated j). M depends only on which
 * movies each person rated, so it is the same in every ALS iteration: the residual
 * r = b − M·y carries over, and a new right side b only adds its change to r.
 *
 * A product M·v is two passes of gathers, so chunks never write the same row: every user sums
 * the v_j of their movies (t_u = a_u·Σ_j v_j, a_u = w_u·c_u²), then every item sums the t_u of
 * its raters. Column dot products are summed per chunk into `partials` and added up in chunk
 * order by the caller, so the result does not depend on the number of threads.
 */
export interface ImplicitFeedbackArgs {
  readonly k: number;
  /** λ_y. */
  readonly regularization: number;
  /** Chunks of users (the user pass) and of items (every other kernel). */
  readonly userChunks: Int32Array;
  readonly itemChunks: Int32Array;
  /** Ratings by user and by item (offsets and column indices of the two layouts). */
  readonly userOffsets: Int32Array;
  readonly userIndices: Int32Array;
  readonly itemOffsets: Int32Array;
  readonly itemIndices: Int32Array;
  /** a_u = w_u·c_u² (the matrix) and s_u = w_u·c_u (the right side), per user. */
  readonly matrixWeights: Float64Array;
  readonly rhsWeights: Float64Array;
  /** 1 / M_jj, per item. */
  readonly inverseDiagonal: Float64Array;
  /** p, users × k. */
  readonly userFactors: Float64Array;
  /** y and the solver's state, items × k. */
  readonly y: Float64Array;
  readonly rhs: Float64Array;
  readonly residual: Float64Array;
  readonly preconditioned: Float64Array;
  readonly direction: Float64Array;
  readonly product: Float64Array;
  /** t_u of the current product, users × k. */
  readonly userSums: Float64Array;
  /** β (user pass, product) or α (update) per column, set by the caller before each run. */
  readonly coefficients: Float64Array;
  /** itemChunkCount × k: a column dot product per chunk. */
  readonly partials: Float64Array;
}

let sum = new Float64Array(0);

// total[d] += scale·source[base + d] for d < k, unrolled by four: V8 does not unroll or
// vectorise, and these gathers are the y step's whole cost. Each column's sum is formed in
// the same order as a plain loop would, so the result is the same bit for bit.
function addScaled(
  total: Float64Array,
  scale: number,
  source: Float64Array,
  base: number,
  k: number,
): void {
  let d = 0;
  for (; d + 4 <= k; d += 4) {
    total[d] += scale * source[base + d];
    total[d + 1] += scale * source[base + d + 1];
    total[d + 2] += scale * source[base + d + 2];
    total[d + 3] += scale * source[base + d + 3];
  }
  for (; d < k; d++) total[d] += scale * source[base + d];
}

// total[d] += source[base + d] for d < k, unrolled as addScaled.
function add(total: Float64Array, source: Float64Array, base: number, k: number): void {
  let d = 0;
  for (; d + 4 <= k; d += 4) {
    total[d] += source[base + d];
    total[d + 1] += source[base + d + 1];
    total[d + 2] += source[base + d + 2];
    total[d + 3] += source[base + d + 3];
  }
  for (; d < k; d++) total[d] += source[base + d];
}

function columnSum(k: number): Float64Array {
  if (sum.length !== k) sum = new Float64Array(k);
  return sum;
}

/**
 * New right side b_j = Σ_{u rated j} s_u·p_u; r += b − b_old; z = r/M_jj; partial Σ_j r·z per
 * column (the first r·z of the steps).
 */
export function feedbackRhs(args: ImplicitFeedbackArgs, chunk: number): void {
  const { k, itemOffsets, itemIndices, rhsWeights, userFactors, rhs, residual } = args;
  const { preconditioned, inverseDiagonal } = args;
  const next = columnSum(k);
  const partial = args.partials.subarray(chunk * k, chunk * k + k);
  partial.fill(0);
  for (let j = args.itemChunks[chunk]; j < args.itemChunks[chunk + 1]; j++) {
    next.fill(0);
    for (let q = itemOffsets[j]; q < itemOffsets[j + 1]; q++) {
      const u = itemIndices[q];
      addScaled(next, rhsWeights[u], userFactors, u * k, k);
    }
    const inverse = inverseDiagonal[j];
    const base = j * k;
    for (let d = 0; d < k; d++) {
      const r = residual[base + d] + next[d] - rhs[base + d];
      rhs[base + d] = next[d];
      residual[base + d] = r;
      const z = r * inverse;
      preconditioned[base + d] = z;
      partial[d] += r * z;
    }
  }
}

/**
 * The user pass of M·v for v = z + β·direction: t_u = a_u·Σ_{j∈R(u)} v_j, which by linearity is
 * a_u·Σ_j z_j + β·(the previous t_u, the sums of the previous direction), so it reads one vector.
 */
export function feedbackUserSums(args: ImplicitFeedbackArgs, chunk: number): void {
  const { k, userOffsets, userIndices, matrixWeights, preconditioned } = args;
  const { userSums, coefficients: beta } = args;
  const total = columnSum(k);
  for (let u = args.userChunks[chunk]; u < args.userChunks[chunk + 1]; u++) {
    total.fill(0);
    for (let q = userOffsets[u]; q < userOffsets[u + 1]; q++) {
      add(total, preconditioned, userIndices[q] * k, k);
    }
    const a = matrixWeights[u];
    const out = u * k;
    for (let d = 0; d < k; d++) userSums[out + d] = a * total[d] + beta[d] * userSums[out + d];
  }
}

/**
 * The item pass: direction = z + β·direction (each chunk its own rows, after the user pass has
 * read them), product = λ_y·direction + Σ_{u rated j} t_u; partial Σ_j direction·product.
 */
export function feedbackProduct(args: ImplicitFeedbackArgs, chunk: number): void {
  const { k, regularization, itemOffsets, itemIndices, userSums, preconditioned } = args;
  const { direction, product, coefficients: beta } = args;
  const total = columnSum(k);
  const partial = args.partials.subarray(chunk * k, chunk * k + k);
  partial.fill(0);
  for (let j = args.itemChunks[chunk]; j < args.itemChunks[chunk + 1]; j++) {
    total.fill(0);
    for (let q = itemOffsets[j]; q < itemOffsets[j + 1]; q++) {
      add(total, userSums, itemIndices[q] * k, k);
    }
    const base = j * k;
    for (let d = 0; d < k; d++) {
      const v = preconditioned[base + d] + beta[d] * direction[base + d];
      direction[base + d] = v;
      const p = regularization * v + total[d];
      product[base + d] = p;
      partial[d] += v * p;
    }
  }
}

/** y += α·direction, r −= α·product, z = r/M_jj; partial Σ_j r·z. */
export function feedbackUpdate(args: ImplicitFeedbackArgs, chunk: number): void {
  const { k, y, residual, preconditioned, direction, product, inverseDiagonal } = args;
  const alpha = args.coefficients;
  const partial = args.partials.subarray(chunk * k, chunk * k + k);
  partial.fill(0);
  for (let j = args.itemChunks[chunk]; j < args.itemChunks[chunk + 1]; j++) {
    const inverse = inverseDiagonal[j];
    const base = j * k;
    for (let d = 0; d < k; d++) {
      y[base + d] += alpha[d] * direction[base + d];
      const r = residual[base + d] - alpha[d] * product[base + d];
      residual[base + d] = r;
      const z = r * inverse;
      preconditioned[base + d] = z;
      partial[d] += r * z;
    }
  }
}

/**
 * The y step's shared state (implicit-feedback.ts): the weights and preconditioner, fixed for
 * the whole fit, and the solver's vectors, carried from one iteration to the next; at most
 * `chunkCount` chunks per side.
 */
export function implicitFeedbackState(
  y: Float64Array,
  userFactors: Float64Array,
  layout: RatingLayout,
  k: number,
  config: ExplicitConfig,
  chunkCount: number,
): ImplicitFeedbackArgs {
  const { byUser, byItem } = layout;
  const regularization = config.implicitRegularization ?? 0;
  const matrixWeights = sharedFloat64(byUser.rowCount);
  const rhsWeights = sharedFloat64(byUser.rowCount);
  const diagonal = new Float64Array(byItem.rowCount).fill(regularization);
  for (let u = 0; u < byUser.rowCount; u++) {
    const n = byUser.offsets[u + 1] - byUser.offsets[u];
    if (n === 0) continue;
    const w = config.regularization * n ** config.frequencyExponent;
    matrixWeights[u] = w / n;
    rhsWeights[u] = w / Math.sqrt(n);
    for (let q = byUser.offsets[u]; q < byUser.offsets[u + 1]; q++) {
      diagonal[byUser.indices[q]] += matrixWeights[u];
    }
  }
  const inverseDiagonal = sharedFloat64(byItem.rowCount);
  for (let j = 0; j < diagonal.length; j++) inverseDiagonal[j] = 1 / diagonal[j];
  // A row costs its ratings plus a few k-long vector operations of its own.
  const itemChunks = balancedChunks(byItem.offsets, chunkCount, 4);
  const size = y.length;
  return {
    k,
    regularization,
    userChunks: balancedChunks(byUser.offsets, chunkCount, 1),
    itemChunks,
    userOffsets: byUser.offsets,
    userIndices: byUser.indices,
    itemOffsets: byItem.offsets,
    itemIndices: byItem.indices,
    matrixWeights,
    rhsWeights,
    inverseDiagonal,
    userFactors,
    y,
    rhs: sharedFloat64(size),
    residual: sharedFloat64(size),
    preconditioned: sharedFloat64(size),
    direction: sharedFloat64(size),
    product: sharedFloat64(size),
    userSums: sharedFloat64(byUser.rowCount * k),
    coefficients: sharedFloat64(k),
    partials: sharedFloat64((itemChunks.length - 1) * k),
  };
}

/**
 * The y step (implicit-feedback.ts): the right side from the current user factors, then
 * config.implicitSteps steps of preconditioned conjugate gradients, every pass on the executor.
 */
export async function fitImplicitFactors(
  state: ImplicitFeedbackArgs,
  executor: Executor,
  steps: number,
): Promise<void> {
  const { k, partials, coefficients } = state;
  const userChunkCount = state.userChunks.length - 1;
  const itemChunkCount = state.itemChunks.length - 1;
  // Σ over chunks, in chunk order, of each column's partial dot product.
  const columns = (out: Float64Array) => {
    out.fill(0);
    for (let c = 0; c < itemChunkCount; c++) {
      for (let d = 0; d < k; d++) out[d] += partials[c * k + d];
    }
  };
  const rz = new Float64Array(k);
  const next = new Float64Array(k);
  await executor.run('explicitFeedbackRhs', state, itemChunkCount);
  columns(rz);
  // β = 0: the first direction is the preconditioned residual.
  coefficients.fill(0);
  for (let step = 0; step < steps; step++) {
    await executor.run('explicitFeedbackUserSums', state, userChunkCount);
    await executor.run('explicitFeedbackProduct', state, itemChunkCount);
    columns(next);
    for (let d = 0; d < k; d++) coefficients[d] = next[d] > 0 ? rz[d] / next[d] : 0;
    await executor.run('explicitFeedbackUpdate', state, itemChunkCount);
    columns(next);
    for (let d = 0; d < k; d++) coefficients[d] = rz[d] > 0 ? next[d] / rz[d] : 0;
    rz.set(next);
  }
}
