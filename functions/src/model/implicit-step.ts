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

/** Rows per block of a rotation, copied into the kernels' memory and back. */
const ROTATE_BLOCK = 1024;

/** A side as the conjugate-gradient kernel reads it, in the kernels' memory. */
export interface ResidentSide {
  readonly side: ImplicitSide;
  /** G (k × k) and, when G is diagonal, its diagonal (k values). */
  readonly gram: Float64Array;
  readonly gramDiagonal: Float64Array | undefined;
  /** The fixed factors, stride size. */
  readonly rows: Float64Array;
  /** Room for the cells of a row: column indices, weights w_q, coefficients (α₀π + w_q)·p_q. */
  readonly capacity: number;
  readonly indices: Int32Array;
  readonly weights: Float64Array;
  readonly coefficients: Float64Array;
}

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
  readonly rotation: Float64Array;
  readonly row: Float64Array;
  private resident: ResidentSide | undefined;

  constructor(readonly k: number) {
    const size = roundUp4(k);
    this.size = size;
    const vectors = [size * size, k * k, k, k, k, k, k, k, size * BATCH, size * BATCH];
    const kernels = new TrainingKernels([...vectors, size * ROTATE_BLOCK, k * k, k]);
    this.kernels = kernels;
    this.g = kernels.array(size * size);
    this.a = kernels.array(k * k);
    this.b = kernels.array(k);
    this.r = kernels.array(k);
    this.p = kernels.array(k);
    this.ap = kernels.array(k);
    this.z = kernels.array(k);
    this.preconditioner = kernels.array(k);
    this.gathered = kernels.array(size * BATCH);
    this.weighted = kernels.array(size * BATCH);
    this.block = kernels.array(size * ROTATE_BLOCK);
    this.rotation = kernels.array(k * k);
    this.row = kernels.array(k);
  }

  /**
   * `side` in the kernels' memory with room for `cells` cells, copied on the first call with
   * this side object (a trainer builds a new side for every half-step; its Gram matrix and
   * fixed factors must not change while it is in use).
   */
  residentSide(side: ImplicitSide, cells: number): ResidentSide {
    const current = this.resident;
    if (current?.side === side && current.capacity >= cells) return current;
    const { k, size } = this;
    const count = side.fixedFactors.length / k;
    const previous = current?.capacity ?? 0;
    const capacity = cells <= previous ? previous : Math.max(cells, 2 * previous, 1024);
    // After the arrays: G, its diagonal, the fixed rows, then the cells' arrays, each starting
    // on a multiple of 4 values.
    const diagonalAt = roundUp4(k * k);
    const rowsAt = diagonalAt + roundUp4(k);
    const weightsAt = rowsAt + count * size;
    const coefficientsAt = weightsAt + roundUp4(capacity);
    const indicesAt = coefficientsAt + roundUp4(capacity);
    const tail = this.kernels.rows(indicesAt + roundUp4(capacity));
    const resident: ResidentSide = {
      side,
      gram: tail.subarray(0, k * k),
      gramDiagonal: side.gramDiagonal && tail.subarray(diagonalAt, diagonalAt + k),
      rows: tail.subarray(rowsAt, rowsAt + count * size),
      capacity,
      weights: tail.subarray(weightsAt, weightsAt + capacity),
      coefficients: tail.subarray(coefficientsAt, coefficientsAt + capacity),
      indices: new Int32Array(tail.buffer, tail.byteOffset + indicesAt * 8, capacity),
    };
    // When only the cells' room grew, the side is in place already.
    if (current?.side !== side) {
      resident.gram.set(side.gram);
      if (side.gramDiagonal) resident.gramDiagonal?.set(side.gramDiagonal);
      const source = side.fixedFactors;
      if (k === size) resident.rows.set(source);
      else {
        // The padding too: the region may hold an earlier layout's values, and the kernels
        // read whole padded vectors.
        for (let r = 0; r < count; r++) {
          resident.rows.set(source.subarray(r * k, r * k + k), r * size);
          resident.rows.fill(0, r * size + k, r * size + size);
        }
      }
    }
    this.resident = resident;
    return resident;
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
 * Copies row `row`'s cells [start, end) into the kernels' memory: their columns, evidence
 * weights w_q and right-hand-side coefficients (α₀π + w_q)·p_q.
 */
function loadCells(
  side: ImplicitSide,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  start: number,
  end: number,
  row: number,
  scratch: ImplicitScratch,
): ResidentSide {
  const resident = scratch.residentSide(side, end - start);
  resident.indices.set(indices.subarray(start, end));
  for (let q = start; q < end; q++) {
    const w = weights[q];
    resident.weights[q - start] = w;
    resident.coefficients[q - start] = (unobservedOf(side, indices, q, row) + w) * targets[q];
  }
  return resident;
}

/**
 * Builds row `row`'s system in `scratch.a` (lower triangle) and `scratch.b` from its observed
 * cells `[start, end)`: columns `indices`, evidence weights `weights`, targets `targets`. The
 * kernels read the rated rows straight from their copy of the fixed side, which the first call
 * with a side makes (fold-in's side lives as long as its model version).
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
  const { k, gram } = side;
  const { size, kernels, g, a, b, gathered, weighted } = scratch;
  const cells = loadCells(side, indices, weights, targets, start, end, row, scratch);
  g.fill(0);
  b.fill(0);
  const count = end - start;
  for (let from = 0; from < count; from += BATCH) {
    const batch = Math.min(BATCH, count - from);
    kernels.gather(cells, from, batch, size, gathered, weighted, b);
    kernels.gram(g, size, weighted, gathered, batch);
  }
  const gramScale = side.solvingItems && side.itemWeights ? side.itemWeights[row] : 1;
  for (let r = 0; r < k; r++) {
    for (let c = 0; c <= r; c++) a[r * k + c] = gramScale * gram[r * k + c] + g[r * size + c];
  }
  const lambda = implicitRowRegularization(side, count);
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
 * preconditioned by the system's diagonal (Jacobi), by the SIMD kernel. O(steps·(k² + n·k))
 * instead of O(n·k² + k³), and O(steps·n·k) when the Gram matrix is diagonal.
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
  const { k } = side;
  const count = end - start;
  const resident = loadCells(side, indices, weights, targets, start, end, row, scratch);
  const x = scratch.b;
  const out = row * k;
  x.set(factors.subarray(out, out + k));
  scratch.kernels.refine(
    resident,
    count,
    side.solvingItems && side.itemWeights ? side.itemWeights[row] : 1,
    implicitRowRegularization(side, count),
    steps,
    scratch,
  );
  factors.set(x, out);
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
  for (let blockStart = start; blockStart < end; blockStart += ROTATE_BLOCK) {
    const count = Math.min(ROTATE_BLOCK, end - blockStart);
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
