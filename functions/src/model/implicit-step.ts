import { roundUp4 } from './linalg.js';
import { TrainingKernels } from './training-kernels.js';

/**
 * One half-step of weighted implicit ALS (Hu, Koren & Volinsky 2008, generalised): every
 * (user, item) cell has a target p (0 where nothing was observed) and a confidence c: α₀·π_i
 * where nothing was observed, α₀·π_i + w for an observed cell with evidence weight w. π_i ≥ 0
 * weights the unobserved cells of item i (popularity-aware: a popular movie someone has not
 * rated is stronger evidence against it than an obscure one, He et al. 2016); π = 1 gives the
 * classic model. Each user solves
 *
 *   (Σ_i α₀π_i·y_i·y_iᵀ + Σ_j w_j·y_j·y_jᵀ + λ_u·I) x = Σ_j (α₀π_j + w_j)·p_j·y_j
 *
 * over their observed cells j, and each item i solves
 *
 *   (α₀π_i·XᵀX + Σ_u w_u·x_u·x_uᵀ + λ_i·I) y = Σ_u (α₀π_i + w_u)·p_u·x_u,
 *
 * with λ_r = λ·(n + α₀·m)^ν for a row with n observed cells and m rows on the other side (the
 * frequency-scaled regularisation of Rendle et al. 2021; ν = 0 gives a plain λ).
 */
export interface ImplicitSide {
  readonly k: number;
  readonly unobservedWeight: number;
  readonly regularization: number;
  readonly frequencyExponent: number;
  /** Factors of the fixed side, row-major (rows × k). */
  readonly fixedFactors: Float64Array;
  /**
   * The unobserved part shared by every row (k × k, row-major, both triangles):
   * Σ_i α₀π_i·y_i·y_iᵀ when solving users, α₀·XᵀX when solving items.
   */
  readonly gram: Float64Array;
  /**
   * Set when `gram` is diagonal (the trainer works in the eigenbasis of the fixed side's Gram
   * matrix): its diagonal, so conjugate gradient multiplies by it in O(k), not O(k²).
   */
  readonly gramDiagonal?: Float64Array;
  /** π of every item; absent means 1 for all. */
  readonly itemWeights?: Float64Array;
  /** Whether the rows being solved are items (so π applies per row, not per cell). */
  readonly solvingItems: boolean;
}

/** Ratings gathered per batch: small enough to stay in cache, large enough to amortise. */
const BATCH = 128;

/**
 * Cells per call of the conjugate-gradient kernel: rows with at most this many set up their
 * cells' indices, weights and coefficients once for every pass, longer rows this many at a time
 * on every pass. Also the rows per block of a rotation.
 */
const GATHER_CELLS = 1024;

/**
 * Work space for one thread's row solves at dimension k. Vectors the SIMD kernels read or
 * write live in the kernels' memory, with a stride of `size` (k rounded up to a multiple of 4).
 */
export class ImplicitScratch {
  readonly size: number;
  readonly kernels: TrainingKernels;
  readonly g: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
  readonly z: Float64Array;
  readonly preconditioner: Float64Array;
  readonly gathered: Float64Array;
  readonly weighted: Float64Array;
  readonly block: Float64Array;
  readonly cellIndices: Int32Array;
  readonly cellWeights: Float64Array;
  readonly cellCoefficients: Float64Array;
  readonly rotation: Float64Array;
  readonly row: Float64Array;
  /** The side whose fixed factors {@link fixedRows} holds. */
  private fixedSide: ImplicitSide | undefined;
  private fixedRows: Float64Array = new Float64Array(0);

  constructor(readonly k: number) {
    const size = roundUp4(k);
    this.size = size;
    const vectors = [size * size, k * k, k, k, k, k, k, size * BATCH, size * BATCH];
    const cells = [size * GATHER_CELLS, GATHER_CELLS / 2, GATHER_CELLS, GATHER_CELLS, k * k, k];
    const kernels = new TrainingKernels([...vectors, ...cells]);
    this.kernels = kernels;
    this.g = kernels.array(size * size);
    this.a = kernels.array(k * k);
    this.b = kernels.array(k);
    this.r = kernels.array(k);
    this.p = kernels.array(k);
    this.ap = kernels.array(k);
    this.preconditioner = kernels.array(k);
    this.gathered = kernels.array(size * BATCH);
    this.weighted = kernels.array(size * BATCH);
    this.block = kernels.array(size * GATHER_CELLS);
    this.cellIndices = kernels.int32Array(GATHER_CELLS);
    this.cellWeights = kernels.array(GATHER_CELLS);
    this.cellCoefficients = kernels.array(GATHER_CELLS);
    this.rotation = kernels.array(k * k);
    this.row = kernels.array(k);
    this.z = new Float64Array(k);
  }

  /**
   * The fixed side's factors in the kernels' memory (stride size), copied on the first call
   * with this side object: a trainer builds a new side for every half-step, and the fixed
   * factors must not change while one is in use.
   */
  fixedFactorsOf(side: ImplicitSide): Float64Array {
    if (this.fixedSide === side) return this.fixedRows;
    const { k, size } = this;
    const source = side.fixedFactors;
    const count = source.length / k;
    const rows = this.kernels.rows(count * size);
    if (k === size) rows.set(source);
    else for (let r = 0; r < count; r++) rows.set(source.subarray(r * k, r * k + k), r * size);
    this.fixedSide = side;
    this.fixedRows = rows;
    return rows;
  }
}

/** λ_r for a row with `count` observed cells. */
export function implicitRowRegularization(side: ImplicitSide, count: number): number {
  const fixedCount = side.fixedFactors.length / side.k;
  return (
    side.regularization * (count + side.unobservedWeight * fixedCount) ** side.frequencyExponent
  );
}

/** α₀π of the unobserved cell behind observed cell q of row `row`. */
function unobservedOf(side: ImplicitSide, indices: Int32Array, q: number, row: number): number {
  const { itemWeights } = side;
  if (!itemWeights) return side.unobservedWeight;
  return side.unobservedWeight * itemWeights[side.solvingItems ? row : indices[q]];
}

/**
 * Builds row `row`'s system in `scratch.a` (lower triangle) and `scratch.b` from its observed
 * cells `[start, end)`: columns `indices`, evidence weights `weights`, targets `targets`.
 */
export function buildImplicitSystem(
  side: ImplicitSide,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  start: number,
  end: number,
  row: number,
  scratch: ImplicitScratch,
): void {
  const { k, fixedFactors, gram } = side;
  const { size, kernels, g, a, b, gathered, weighted } = scratch;
  g.fill(0);
  b.fill(0);
  for (let batchStart = start; batchStart < end; batchStart += BATCH) {
    const batch = Math.min(BATCH, end - batchStart);
    for (let col = 0; col < batch; col++) {
      const q = batchStart + col;
      const base = indices[q] * k;
      const o = col * size;
      const w = weights[q];
      const coefficient = (unobservedOf(side, indices, q, row) + w) * targets[q];
      for (let d = 0; d < k; d++) {
        const f = fixedFactors[base + d];
        gathered[o + d] = f;
        weighted[o + d] = w * f;
        b[d] += coefficient * f;
      }
    }
    kernels.gram(g, size, weighted, gathered, batch);
  }
  const gramScale = side.solvingItems && side.itemWeights ? side.itemWeights[row] : 1;
  for (let r = 0; r < k; r++) {
    for (let c = 0; c <= r; c++) a[r * k + c] = gramScale * gram[r * k + c] + g[r * size + c];
  }
  const lambda = implicitRowRegularization(side, end - start);
  for (let d = 0; d < k; d++) a[d * k + d] += lambda;
}

/**
 * Solves exactly (Cholesky) for one row and writes it to `factors[row·k ..]`; leaves the
 * Cholesky factor of the row's system in `scratch.a` (used to explain a recommendation).
 * Fold-in calls this same function, so a folded-in user equals the trainer's bit for bit when
 * given the same cells in the same (ascending item) order.
 */
export function solveImplicitRow(
  side: ImplicitSide,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  start: number,
  end: number,
  factors: Float64Array,
  row: number,
  scratch: ImplicitScratch,
): void {
  const { k } = side;
  buildImplicitSystem(side, indices, weights, targets, start, end, row, scratch);
  if (!scratch.kernels.choleskySolve(scratch.a, scratch.b, k)) {
    throw new Error(`implicit ALS: the system of row ${row} is not positive definite`);
  }
  factors.set(scratch.b, row * k);
}

/**
 * Improves one row in place by `steps` conjugate-gradient iterations on the same system as
 * {@link solveImplicitRow}, from its current value (Takács et al. 2011, as in `implicit`),
 * preconditioned by the system's diagonal (Jacobi). O(steps·(k² + n·k)) instead of
 * O(n·k² + k³), and O(steps·n·k) when the Gram matrix is diagonal.
 */
export function refineImplicitRow(
  side: ImplicitSide,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  start: number,
  end: number,
  factors: Float64Array,
  row: number,
  steps: number,
  scratch: ImplicitScratch,
): void {
  const { k, gram, gramDiagonal } = side;
  const { b: x, r, p, ap, z, preconditioner } = scratch;
  const out = row * k;
  for (let d = 0; d < k; d++) x[d] = factors[out + d];
  const lambda = implicitRowRegularization(side, end - start);
  const gramScale = side.solvingItems && side.itemWeights ? side.itemWeights[row] : 1;
  // r = b − A·x with A·x = s·G·x + Σ w (f·x) f + λx and b = Σ (α₀π + w) p f; M = diag(A).
  multiplyGram(gram, gramDiagonal, gramScale, lambda, x, r, k);
  for (let d = 0; d < k; d++) {
    r[d] = -r[d];
    preconditioner[d] = gramScale * gram[d * k + d] + lambda;
  }
  const rows = scratch.fixedFactorsOf(side);
  // Short rows set up their cells once for every pass, long rows in blocks on each pass.
  const once = end - start <= GATHER_CELLS;
  if (once) setUpCells(side, indices, weights, targets, start, end, row, scratch);
  // r += Σ_q ((α₀π + w)·p_q − w·(f_q·x))·f_q, and M += Σ_q w·f_q²
  addCellTerms(
    side,
    indices,
    weights,
    targets,
    start,
    end,
    row,
    once,
    rows,
    x,
    r,
    preconditioner,
    scratch,
  );
  let rz = 0;
  for (let d = 0; d < k; d++) {
    z[d] = r[d] / preconditioner[d];
    p[d] = z[d];
    rz += r[d] * z[d];
  }
  for (let step = 0; step < steps && rz > 1e-30; step++) {
    multiplyGram(gram, gramDiagonal, gramScale, lambda, p, ap, k);
    // ap += Σ_q w·(f_q·p)·f_q
    addCellTerms(
      side,
      indices,
      weights,
      targets,
      start,
      end,
      row,
      once,
      rows,
      p,
      ap,
      undefined,
      scratch,
    );
    let pAp = 0;
    for (let d = 0; d < k; d++) pAp += p[d] * ap[d];
    const alpha = rz / pAp;
    let rzNew = 0;
    for (let d = 0; d < k; d++) {
      x[d] += alpha * p[d];
      r[d] -= alpha * ap[d];
      z[d] = r[d] / preconditioner[d];
      rzNew += r[d] * z[d];
    }
    const beta = rzNew / rz;
    for (let d = 0; d < k; d++) p[d] = z[d] + beta * p[d];
    rz = rzNew;
  }
  for (let d = 0; d < k; d++) factors[out + d] = x[d];
}

/**
 * Copies the indices of cells [from, to) of a row (at most GATHER_CELLS) into
 * `scratch.cellIndices`, their weights w_q into `scratch.cellWeights` and their residual
 * coefficients (α₀π + w_q)·p_q into `scratch.cellCoefficients`.
 */
function setUpCells(
  side: ImplicitSide,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  from: number,
  to: number,
  row: number,
  scratch: ImplicitScratch,
): void {
  const { cellIndices, cellWeights, cellCoefficients } = scratch;
  cellIndices.set(indices.subarray(from, to));
  for (let q = from; q < to; q++) {
    const w = weights[q];
    cellWeights[q - from] = w;
    cellCoefficients[q - from] = (unobservedOf(side, indices, q, row) + w) * targets[q];
  }
}

/**
 * Adds the observed cells' part of one CG product to `out` by the SIMD kernel, reading the
 * fixed-side vectors from `rows` (the fixed factors in the kernels' memory): given `diagonal`
 * (the residual pass), out += Σ_q ((α₀π + w_q)·p_q − w_q·(f_q·v))·f_q and diagonal +=
 * Σ_q w_q·f_q²; otherwise out += Σ_q w_q·(f_q·v)·f_q. `ready`: the row's cells are already set
 * up in the scratch.
 */
function addCellTerms(
  side: ImplicitSide,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  start: number,
  end: number,
  row: number,
  ready: boolean,
  rows: Float64Array,
  v: Float64Array,
  out: Float64Array,
  diagonal: Float64Array | undefined,
  scratch: ImplicitScratch,
): void {
  const { kernels, size, cellIndices, cellWeights, cellCoefficients } = scratch;
  for (let from = start; from < end; from += GATHER_CELLS) {
    const to = Math.min(end, from + GATHER_CELLS);
    if (!ready) setUpCells(side, indices, weights, targets, from, to, row, scratch);
    kernels.cellTerms(
      rows,
      cellIndices,
      to - from,
      size,
      v,
      out,
      cellWeights,
      cellCoefficients,
      diagonal,
    );
  }
}

// out = s·G·v + λ·v, in O(k) when G is diagonal.
function multiplyGram(
  gram: Float64Array,
  diagonal: Float64Array | undefined,
  scale: number,
  lambda: number,
  v: Float64Array,
  out: Float64Array,
  k: number,
): void {
  if (diagonal) {
    for (let d = 0; d < k; d++) out[d] = (scale * diagonal[d] + lambda) * v[d];
    return;
  }
  for (let d = 0; d < k; d++) {
    let s = 0;
    const rowG = d * k;
    for (let e = 0; e < k; e++) s += gram[rowG + e] * v[e];
    out[d] = scale * s + lambda * v[d];
  }
}

/**
 * Adds Σ s_r·f_r·f_rᵀ over rows [start, end) of `factors` (rows × k) to the lower triangle of
 * `gram` (k × k), s_r = scale·rowWeights[r] (or scale): one partial sum of the Gram matrix
 * that every row solve of the other side shares. Rows are gathered in batches and summed with
 * the register-blocked kernel; `scratch` is work space for it.
 */
export function addGramRows(
  gram: Float64Array,
  factors: Float64Array,
  k: number,
  start: number,
  end: number,
  scale: number,
  rowWeights: Float64Array | undefined,
  scratch: ImplicitScratch,
): void {
  const { size, kernels, g, gathered, weighted } = scratch;
  g.fill(0);
  for (let batchStart = start; batchStart < end; batchStart += BATCH) {
    const batch = Math.min(BATCH, end - batchStart);
    for (let col = 0; col < batch; col++) {
      const row = batchStart + col;
      const base = row * k;
      const o = col * size;
      const s = rowWeights ? scale * rowWeights[row] : scale;
      for (let d = 0; d < k; d++) {
        const f = factors[base + d];
        gathered[o + d] = f;
        weighted[o + d] = s * f;
      }
    }
    kernels.gram(g, size, weighted, gathered, batch);
  }
  for (let r = 0; r < k; r++) {
    for (let c = 0; c <= r; c++) gram[r * k + c] += g[r * size + c];
  }
}

/**
 * Rotates rows [start, end) of `factors` (rows × k) in place: f ← f·V (V k × k, row-major),
 * by the SIMD kernel on blocks of rows copied into the scratch.
 */
export function rotateRows(
  factors: Float64Array,
  k: number,
  rotation: Float64Array,
  start: number,
  end: number,
  scratch: ImplicitScratch,
): void {
  const { kernels, size, block, row } = scratch;
  scratch.rotation.set(rotation);
  for (let blockStart = start; blockStart < end; blockStart += GATHER_CELLS) {
    const count = Math.min(GATHER_CELLS, end - blockStart);
    for (let r = 0; r < count; r++) {
      const base = (blockStart + r) * k;
      for (let d = 0; d < k; d++) block[r * size + d] = factors[base + d];
    }
    kernels.rotate(block, count, k, size, scratch.rotation, row);
    for (let r = 0; r < count; r++) {
      const base = (blockStart + r) * k;
      for (let d = 0; d < k; d++) factors[base + d] = block[r * size + d];
    }
  }
}

/**
 * The evidence-weighted loss of the rows [start, end): Σ over every cell of its confidence
 * times its squared error, and Σ λ_r·‖x_r‖². Returned as [loss, penalty] in `out`.
 */
export function implicitRowsLoss(
  side: ImplicitSide,
  offsets: Int32Array,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  factors: Float64Array,
  start: number,
  end: number,
  out: Float64Array,
): void {
  const { k, gram, fixedFactors } = side;
  let loss = 0;
  let penalty = 0;
  for (let row = start; row < end; row++) {
    const base = row * k;
    const gramScale = side.solvingItems && side.itemWeights ? side.itemWeights[row] : 1;
    // Every cell as if unobserved: xᵀ(s·G)x …
    let quadratic = 0;
    let norm = 0;
    for (let d = 0; d < k; d++) {
      const xd = factors[base + d];
      norm += xd * xd;
      let s = 0;
      for (let e = 0; e < k; e++) s += gram[d * k + e] * factors[base + e];
      quadratic += xd * s;
    }
    loss += gramScale * quadratic;
    // … then each observed cell swaps α₀π·ŷ² for (α₀π + w)(p − ŷ)².
    for (let q = offsets[row]; q < offsets[row + 1]; q++) {
      const fixed = indices[q] * k;
      let dot = 0;
      for (let d = 0; d < k; d++) dot += factors[base + d] * fixedFactors[fixed + d];
      const e = targets[q] - dot;
      const c0 = unobservedOf(side, indices, q, row);
      loss += (c0 + weights[q]) * e * e - c0 * dot * dot;
    }
    penalty += implicitRowRegularization(side, offsets[row + 1] - offsets[row]) * norm;
  }
  out[0] = loss;
  out[1] = penalty;
}
