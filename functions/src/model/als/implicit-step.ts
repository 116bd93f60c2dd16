import { type CgSystem, TrainingKernels } from '../kernels/training-kernels.js';
import { roundUp4 } from './linalg.js';

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

/** A side as the exact solve's gather reads it, in the kernels' memory. */
export interface ResidentSide {
  readonly side: ImplicitSide;
  readonly float32: false;
  /** The fixed factors, stride size. */
  readonly rows: Float64Array;
  /** Room for the cells of a row: column indices, weights w_q, coefficients (α₀π + w_q)·p_q. */
  readonly capacity: number;
  readonly indices: Int32Array;
  readonly weights: Float64Array;
  readonly coefficients: Float64Array;
}

/** A side as the float32 conjugate-gradient kernel reads it, in the kernels' memory. */
export interface ResidentCgSide extends CgSystem {
  readonly side: ImplicitSide;
  readonly float32: true;
  /** Room for the cells of a row, as in {@link ResidentSide}. */
  readonly capacity: number;
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
  readonly x: Float32Array;
  readonly r: Float32Array;
  readonly p: Float32Array;
  readonly ap: Float32Array;
  readonly z: Float32Array;
  readonly preconditioner: Float32Array;
  readonly gathered: Float64Array;
  readonly weighted: Float64Array;
  readonly block: Float64Array;
  readonly rotation: Float64Array;
  readonly row: Float64Array;
  private resident: ResidentSide | ResidentCgSide | undefined;

  constructor(readonly k: number) {
    const size = roundUp4(k);
    this.size = size;
    // Conjugate gradient's six float32 vectors take size / 2 eight-byte values each.
    const cgVectors = Array.from({ length: 6 }, () => size / 2);
    const vectors = [size * size, k * k, k, ...cgVectors, size * BATCH, size * BATCH];
    const kernels = new TrainingKernels([...vectors, size * ROTATE_BLOCK, k * k, k]);
    this.kernels = kernels;
    this.g = kernels.array(size * size);
    this.a = kernels.array(k * k);
    this.b = kernels.array(k);
    this.x = kernels.float32Array(k);
    this.r = kernels.float32Array(k);
    this.p = kernels.float32Array(k);
    this.ap = kernels.float32Array(k);
    this.z = kernels.float32Array(k);
    this.preconditioner = kernels.float32Array(k);
    this.gathered = kernels.array(size * BATCH);
    this.weighted = kernels.array(size * BATCH);
    this.block = kernels.array(size * ROTATE_BLOCK);
    this.rotation = kernels.array(k * k);
    this.row = kernels.array(k);
  }

  /**
   * `side` in the kernels' memory in float64 for the exact solve's gather, with room for
   * `cells` cells, copied on the first call with this side object (a trainer builds a new side
   * for every half-step; its fixed factors must not change while it is in use).
   */
  residentSide(side: ImplicitSide, cells: number): ResidentSide {
    const current = this.resident;
    if (current?.side === side && !current.float32 && current.capacity >= cells) return current;
    const { k, size } = this;
    const count = side.fixedFactors.length / k;
    const capacity = this.capacityFor(cells);
    // After the arrays: the fixed rows, then the cells' arrays, each starting on a multiple of
    // 4 values.
    const weightsAt = count * size;
    const coefficientsAt = weightsAt + roundUp4(capacity);
    const indicesAt = coefficientsAt + roundUp4(capacity);
    const tail = this.kernels.rows(indicesAt + roundUp4(capacity));
    const resident: ResidentSide = {
      side,
      float32: false,
      rows: tail.subarray(0, count * size),
      capacity,
      weights: tail.subarray(weightsAt, weightsAt + capacity),
      coefficients: tail.subarray(coefficientsAt, coefficientsAt + capacity),
      indices: new Int32Array(tail.buffer, tail.byteOffset + indicesAt * 8, capacity),
    };
    // When only the cells' room grew, the side is in place already.
    if (current?.side !== side || current.float32)
      copyRows(resident.rows, side.fixedFactors, k, size);
    this.resident = resident;
    return resident;
  }

  /**
   * `side` in the kernels' memory in float32 for conjugate gradient, G included, with room for
   * `cells` cells, copied on the first call with this side object (as {@link residentSide}).
   */
  residentCgSide(side: ImplicitSide, cells: number): ResidentCgSide {
    const current = this.resident;
    if (current?.side === side && current.float32 && current.capacity >= cells) return current;
    const { k, size } = this;
    const count = side.fixedFactors.length / k;
    const capacity = this.capacityFor(cells);
    // In float32 values after the arrays: G (k rows, stride size), its diagonal, the fixed
    // rows, then the cells' arrays.
    const diagonalAt = k * size;
    const rowsAt = diagonalAt + size;
    const weightsAt = rowsAt + count * size;
    const coefficientsAt = weightsAt + roundUp4(capacity);
    const indicesAt = coefficientsAt + roundUp4(capacity);
    const length = indicesAt + roundUp4(capacity);
    const region = this.kernels.rows(length / 2);
    const tail = new Float32Array(region.buffer, region.byteOffset, length);
    const resident: ResidentCgSide = {
      side,
      float32: true,
      gram: tail.subarray(0, k * size),
      gramDiagonal: side.gramDiagonal && tail.subarray(diagonalAt, diagonalAt + size),
      rows: tail.subarray(rowsAt, rowsAt + count * size),
      capacity,
      weights: tail.subarray(weightsAt, weightsAt + capacity),
      coefficients: tail.subarray(coefficientsAt, coefficientsAt + capacity),
      indices: new Int32Array(tail.buffer, tail.byteOffset + indicesAt * 4, capacity),
    };
    if (current?.side !== side || !current.float32) {
      copyRows(resident.gram, side.gram, k, size);
      if (side.gramDiagonal) copyRows(resident.gramDiagonal!, side.gramDiagonal, k, size);
      copyRows(resident.rows, side.fixedFactors, k, size);
    }
    this.resident = resident;
    return resident;
  }

  /** Room for `cells` cells: at least double the last, so a long row does not copy often. */
  private capacityFor(cells: number): number {
    const previous = this.resident?.capacity ?? 0;
    return cells <= previous ? previous : Math.max(cells, 2 * previous, 1024);
  }
}

/**
 * Copies the rows of `source` (rows × k) to `target` with a stride of size, zeroing the padding
 * too: the region may hold an earlier layout's values, and the kernels read whole padded vectors.
 */
function copyRows(
  target: Float64Array | Float32Array,
  source: Float64Array,
  k: number,
  size: number,
): void {
  if (k === size) {
    target.set(source);
    return;
  }
  const count = source.length / k;
  for (let r = 0; r < count; r++) {
    target.set(source.subarray(r * k, r * k + k), r * size);
    target.fill(0, r * size + k, r * size + size);
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
 * Copies row `row`'s cells [start, end) into `cells` in the kernels' memory: their columns,
 * evidence weights w_q and right-hand-side coefficients (α₀π + w_q)·p_q.
 */
function loadCells<Cells extends ResidentSide | ResidentCgSide>(
  side: ImplicitSide,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  start: number,
  end: number,
  row: number,
  cells: Cells,
): Cells {
  cells.indices.set(indices.subarray(start, end));
  for (let q = start; q < end; q++) {
    const w = weights[q];
    cells.weights[q - start] = w;
    cells.coefficients[q - start] = (unobservedOf(side, indices, q, row) + w) * targets[q];
  }
  return cells;
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
  const resident = scratch.residentSide(side, end - start);
  const cells = loadCells(side, indices, weights, targets, start, end, row, resident);
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
 * preconditioned by the system's diagonal (Jacobi), by the SIMD kernel in float32 (as
 * `implicit`: a few steps from the previous iterate gain nothing from float64, and float32 does
 * twice the work per instruction). O(steps·(k² + n·k)) instead of O(n·k² + k³), and
 * O(steps·n·k) when the Gram matrix is diagonal. The row is rounded to float32 on the way in;
 * the last user step of training is the exact float64 solve, so fold-in is unaffected.
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
  const resident = scratch.residentCgSide(side, count);
  loadCells(side, indices, weights, targets, start, end, row, resident);
  const { x } = scratch;
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
