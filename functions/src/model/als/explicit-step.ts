import { TrainingKernels } from '../kernels/training-kernels.js';
import { roundUp4 } from './linalg.js';

/**
 * One half-step of biased ALS for rating prediction with implicit feedback and session biases,
 *
 *   r̂(u, i, t) = μ + b_u + s_u(t) + b_i + p_u·q_i,
 *
 * s_u(t) being the bias of the rating session (a run of ratings without a long pause) that
 * time t falls in. With the other side (factors F, biases c) fixed, each row solves for its
 * own bias and factors z = (b, p) ∈ ℝ^(k+1) from its ratings, features ỹ_j = (1, F_j), targets
 * t_j = r_j − μ − c_j − o_j (o_j the fixed side's session bias, in the item step):
 *
 *   (Σ_j ỹ_j ỹ_jᵀ + diag(λ_b·n^ν_b, λ·n^ν, …, λ·n^ν)) z = Σ_j t_j ỹ_j,
 *
 * n being the row's rating count (ν = 1 is ALS-WR's weighted-λ regularisation); with implicit
 * feedback the user step's right side also gains λ·n^ν·(0, z), shrinking p toward
 * z = n^-½·Σ_j y_j instead of 0 (see {@link ExplicitSide.implicitFactors}). In the user
 * step each session d (n_d ratings) adds an unknown s_d with penalty λ_s·s_d²; it is
 * eliminated exactly (Schur complement): with S_d = Σ_{j∈d} ỹ_j and T_d = Σ_{j∈d} t_j the
 * system loses Σ_d S_d S_dᵀ/(n_d + λ_s) on the left and Σ_d T_d S_d/(n_d + λ_s) on the right,
 * and afterwards s_d = (T_d − S_d·z)/(n_d + λ_s).
 */
export interface ExplicitSide {
  /** Latent dimension k (the bias is solved beside the k factors). */
  readonly k: number;
  readonly globalMean: number;
  readonly regularization: number;
  readonly biasRegularization: number;
  readonly frequencyExponent: number;
  readonly biasFrequencyExponent: number;
  /** Factors of the fixed side, row-major (rows × k). */
  readonly fixedFactors: Float64Array;
  /** Biases of the fixed side. */
  readonly fixedBiases: Float64Array;
  /**
   * y_j of the fixed rows (items × k), in the user step of a model with implicit feedback: a
   * user's factors are then shrunk toward z = n^-½·Σ_j y_j over their n rated items instead of
   * toward 0 (the ridge term λ·n^ν·‖p − z‖², which is SVD++ with p_u + z_u written as p).
   */
  readonly implicitFactors?: Float64Array;
}

/**
 * z = n^-½·Σ_q y_{indices[q]} over start ≤ q < end (in that order, so the trainer and fold-in
 * agree bit for bit), written to `out`; 0 when the row is empty.
 */
export function implicitPrior(
  implicitFactors: Float64Array,
  k: number,
  indices: Int32Array,
  start: number,
  end: number,
  out: Float64Array,
): void {
  out.fill(0, 0, k);
  for (let q = start; q < end; q++) {
    const base = indices[q] * k;
    // Unrolled by four (V8 does not), each column summed in the same order as a plain loop.
    let d = 0;
    for (; d + 4 <= k; d += 4) {
      out[d] += implicitFactors[base + d];
      out[d + 1] += implicitFactors[base + d + 1];
      out[d + 2] += implicitFactors[base + d + 2];
      out[d + 3] += implicitFactors[base + d + 3];
    }
    for (; d < k; d++) out[d] += implicitFactors[base + d];
  }
  const scale = end > start ? 1 / Math.sqrt(end - start) : 0;
  for (let d = 0; d < k; d++) out[d] *= scale;
}

/**
 * The session of every rating of the rows being solved (in their order) and one bias per
 * session. In the user step the rows' session biases are solved; in the item step they are
 * the fixed users' offsets.
 */
export interface RatingSessions {
  readonly ofRating: Int32Array;
  readonly biases: Float64Array;
  /** λ_s, the penalty on each session bias. */
  readonly regularization: number;
}

/** Ratings gathered per batch: small enough to stay in cache, large enough to amortise. */
const BATCH = 128;

/**
 * A fixed side as the gather kernel reads it, in the kernels' memory, with room for one row's
 * ratings and sessions.
 */
export interface ResidentExplicitSide {
  readonly side: ExplicitSide;
  /** (1, F_j) for every fixed row j, stride size, the padding zero. */
  readonly rows: Float64Array;
  readonly capacity: number;
  readonly sessionCapacity: number;
  /** Each rating's fixed row, target t_j and session (numbered from the row's first). */
  readonly indices: Int32Array;
  readonly coefficients: Float64Array;
  readonly sessionOf: Int32Array;
  /** S_d of each of the row's sessions, stride size. */
  readonly sessionSums: Float64Array;
}

/**
 * Work space for one thread's row solves at dimension k with up to `maxSessions` sessions a row.
 * What the kernels read and write lives in their memory, with a stride of `size` (k + 1
 * rounded up to a multiple of 4); the session sums have the same stride.
 */
export class ExplicitScratch {
  readonly size: number;
  readonly kernels: TrainingKernels;
  readonly g: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly gathered: Float64Array;
  readonly scaled: Float64Array;
  sessionTargets: Float64Array;
  sessionCounts: Float64Array;
  /** The row's implicit prior z (k values). */
  readonly prior: Float64Array;
  private resident: ResidentExplicitSide | undefined;

  constructor(
    readonly k: number,
    maxSessions = 0,
  ) {
    const n = k + 1;
    const size = roundUp4(n);
    this.size = size;
    const kernels = new TrainingKernels([size * size, size * BATCH, size * BATCH, n * n, n]);
    this.kernels = kernels;
    this.g = kernels.array(size * size);
    this.gathered = kernels.array(size * BATCH);
    this.scaled = kernels.array(size * BATCH);
    this.a = kernels.array(n * n);
    this.b = kernels.array(n);
    this.prior = new Float64Array(k);
    this.sessionTargets = new Float64Array(0);
    this.sessionCounts = new Float64Array(0);
    this.reserveSessions(maxSessions);
  }

  /** Makes room for rows with up to `count` sessions. */
  reserveSessions(count: number): void {
    if (this.sessionCounts.length >= count) return;
    this.sessionTargets = new Float64Array(count);
    this.sessionCounts = new Float64Array(count);
  }

  /**
   * `side` in the kernels' memory with room for `cells` ratings and `sessions` sessions, copied
   * on the first call with this side object (a trainer builds a new side for every half-step,
   * fold-in one per model version; its factors must not change while it is in use).
   */
  residentSide(side: ExplicitSide, cells: number, sessions: number): ResidentExplicitSide {
    const current = this.resident;
    if (
      current?.side === side &&
      current.capacity >= cells &&
      current.sessionCapacity >= sessions
    ) {
      return current;
    }
    const { k, size } = this;
    const count = side.fixedBiases.length;
    const grown = (needed: number, previous: number) =>
      needed <= previous ? previous : Math.max(needed, 2 * previous, 1024);
    const capacity = grown(cells, current?.capacity ?? 0);
    const sessionCapacity = grown(sessions, current?.sessionCapacity ?? 0);
    // After the arrays: the fixed rows, then the ratings' and the sessions' arrays, each
    // starting on a multiple of 4 values (two indices to a value).
    const indicesAt = count * size;
    const sessionOfAt = indicesAt + roundUp4(Math.ceil(capacity / 2));
    const coefficientsAt = sessionOfAt + roundUp4(Math.ceil(capacity / 2));
    const sessionSumsAt = coefficientsAt + roundUp4(capacity);
    const tail = this.kernels.rows(sessionSumsAt + sessionCapacity * size);
    const int32At = (at: number) => new Int32Array(tail.buffer, tail.byteOffset + at * 8, capacity);
    const resident: ResidentExplicitSide = {
      side,
      rows: tail.subarray(0, count * size),
      capacity,
      sessionCapacity,
      indices: int32At(indicesAt),
      sessionOf: int32At(sessionOfAt),
      coefficients: tail.subarray(coefficientsAt, coefficientsAt + capacity),
      sessionSums: tail.subarray(sessionSumsAt, sessionSumsAt + sessionCapacity * size),
    };
    // When only the room for a row grew, the side is in place already.
    if (current?.side !== side) {
      const { rows } = resident;
      const source = side.fixedFactors;
      // The padding too: the region may hold an earlier layout's values, and the kernels read
      // whole padded vectors, so the padding of what they write (b, g, the session sums) stays
      // zero as TrainingKernels' layout promises.
      rows.fill(0);
      for (let r = 0; r < count; r++) {
        rows[r * size] = 1;
        rows.set(source.subarray(r * k, r * k + k), r * size + 1);
      }
    }
    this.resident = resident;
    return resident;
  }
}

/**
 * Solves exactly (Cholesky) for one row from its ratings `values[start..end)` of the fixed-side
 * rows `indices[start..end)`, writing its bias to `biases[row]` and its factors to
 * `factors[row·k ..]`.
 *
 * `sessions`, when given, is either the fixed side's (item step: `solveSessions` false, each
 * rating's target is reduced by its session's bias) or this row's own (user step:
 * `solveSessions` true, the row's sessions are numbered firstSession ≤ id < firstSession +
 * sessionCount and their biases are written). Fold-in calls this same function, so a
 * folded-in user equals the trainer's bit for bit when given the same ratings in the same
 * (ascending item) order.
 */
export function solveExplicitRow(
  side: ExplicitSide,
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  factors: Float64Array,
  biases: Float64Array,
  row: number,
  sessions: RatingSessions | undefined,
  solveSessions: boolean,
  firstSession: number,
  sessionCount: number,
  scratch: ExplicitScratch,
): void {
  const { k, globalMean, fixedBiases } = side;
  const n = k + 1;
  const count = end - start;
  if (count === 0) {
    biases[row] = 0;
    factors.fill(0, row * k, row * k + k);
    return;
  }
  const { size, kernels, g, a, b, gathered } = scratch;
  const own = solveSessions && sessions !== undefined;
  const cells = scratch.residentSide(side, count, own ? sessionCount : 0);
  cells.indices.set(indices.subarray(start, end));
  if (own) {
    scratch.reserveSessions(sessionCount);
    cells.sessionSums.fill(0, 0, size * sessionCount);
    scratch.sessionTargets.fill(0, 0, sessionCount);
    scratch.sessionCounts.fill(0, 0, sessionCount);
  }
  const { sessionTargets, sessionCounts } = scratch;
  for (let q = start; q < end; q++) {
    let t = values[q] - globalMean - fixedBiases[indices[q]];
    if (sessions && !solveSessions) t -= sessions.biases[sessions.ofRating[q]];
    cells.coefficients[q - start] = t;
    if (own) {
      const s = sessions.ofRating[q] - firstSession;
      cells.sessionOf[q - start] = s;
      sessionCounts[s] += 1;
      sessionTargets[s] += t;
    }
  }
  // Each rating's features (1, F_j) gathered, t·(1, F_j) added to b and, in the user step,
  // (1, F_j) to its session's sum S_d.
  g.fill(0);
  b.fill(0);
  for (let from = 0; from < count; from += BATCH) {
    const batch = Math.min(BATCH, count - from);
    if (own) {
      kernels.gather(
        cells,
        from,
        batch,
        size,
        gathered,
        undefined,
        b,
        cells.sessionOf,
        cells.sessionSums,
      );
    } else kernels.gather(cells, from, batch, size, gathered, undefined, b);
    kernels.gram(g, size, gathered, gathered, batch);
  }
  if (own) subtractSessions(scratch, cells.sessionSums, sessions.regularization, sessionCount, n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c <= r; c++) a[r * n + c] = g[r * size + c];
  }
  a[0] += side.biasRegularization * count ** side.biasFrequencyExponent;
  const lambda = side.regularization * count ** side.frequencyExponent;
  for (let r = 1; r < n; r++) a[r * n + r] += lambda;
  if (side.implicitFactors) {
    const { prior } = scratch;
    implicitPrior(side.implicitFactors, k, indices, start, end, prior);
    for (let r = 0; r < k; r++) b[r + 1] += lambda * prior[r];
  }
  if (!kernels.choleskySolve(a, b, n)) {
    throw new Error(`explicit ALS: the system of row ${row} is not positive definite`);
  }
  biases[row] = b[0];
  const out = row * k;
  for (let r = 0; r < k; r++) factors[out + r] = b[r + 1];
  if (own) writeSessionBiases(scratch, cells.sessionSums, sessions, firstSession, sessionCount, n);
}

// s_d = (T_d − S_d·z)/(n_d + λ_s) for each of the row's sessions, z = (b, p) in scratch.b.
function writeSessionBiases(
  scratch: ExplicitScratch,
  sessionSums: Float64Array,
  sessions: RatingSessions,
  firstSession: number,
  sessionCount: number,
  n: number,
): void {
  const { size, b, sessionTargets, sessionCounts } = scratch;
  for (let s = 0; s < sessionCount; s++) {
    let dot = 0;
    for (let r = 0; r < n; r++) dot += sessionSums[s * size + r] * b[r];
    sessions.biases[firstSession + s] =
      (sessionTargets[s] - dot) / (sessionCounts[s] + sessions.regularization);
  }
}

// Eliminates the row's session biases: g −= Σ_d S_d S_dᵀ/(n_d + λ_s), b −= Σ_d T_d S_d/(n_d + λ_s),
// the Gram part by the kernel on batches of sessions.
function subtractSessions(
  scratch: ExplicitScratch,
  sessionSums: Float64Array,
  regularization: number,
  sessionCount: number,
  n: number,
): void {
  const { size, kernels, g, b, gathered, scaled, sessionTargets, sessionCounts } = scratch;
  for (let batchStart = 0; batchStart < sessionCount; batchStart += BATCH) {
    const batch = Math.min(BATCH, sessionCount - batchStart);
    for (let col = 0; col < batch; col++) {
      const s = batchStart + col;
      const inverse = 1 / (sessionCounts[s] + regularization);
      const targetScale = sessionTargets[s] * inverse;
      for (let r = 0; r < n; r++) {
        const sum = sessionSums[s * size + r];
        gathered[col * size + r] = sum;
        scaled[col * size + r] = -sum * inverse;
        b[r] -= targetScale * sum;
      }
    }
    kernels.gram(g, size, scaled, gathered, batch);
  }
}
