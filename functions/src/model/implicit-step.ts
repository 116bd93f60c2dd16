import { addGramBlocked, choleskySolve, roundUp4 } from './linalg.js';

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
  /** π of every item; absent means 1 for all. */
  readonly itemWeights?: Float64Array;
  /** Whether the rows being solved are items (so π applies per row, not per cell). */
  readonly solvingItems: boolean;
}

/** Ratings gathered per batch: small enough to stay in cache, large enough to amortise. */
const BATCH = 128;

/** Work space for one thread's row solves at dimension k. */
export class ImplicitScratch {
  readonly size: number;
  readonly g: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
  readonly gathered: Float64Array;
  readonly weighted: Float64Array;

  constructor(readonly k: number) {
    this.size = roundUp4(k);
    this.g = new Float64Array(this.size * this.size);
    this.a = new Float64Array(k * k);
    this.b = new Float64Array(k);
    this.r = new Float64Array(k);
    this.p = new Float64Array(k);
    this.ap = new Float64Array(k);
    this.gathered = new Float64Array(this.size * BATCH);
    this.weighted = new Float64Array(this.size * BATCH);
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
  const { size, g, a, b, gathered, weighted } = scratch;
  g.fill(0);
  b.fill(0);
  for (let batchStart = start; batchStart < end; batchStart += BATCH) {
    const batch = Math.min(BATCH, end - batchStart);
    for (let col = 0; col < batch; col++) {
      const q = batchStart + col;
      const base = indices[q] * k;
      const w = weights[q];
      const coefficient = (unobservedOf(side, indices, q, row) + w) * targets[q];
      for (let d = 0; d < k; d++) {
        const f = fixedFactors[base + d];
        gathered[d * batch + col] = f;
        weighted[d * batch + col] = w * f;
        b[d] += coefficient * f;
      }
    }
    gathered.fill(0, k * batch, size * batch);
    weighted.fill(0, k * batch, size * batch);
    addGramBlocked(g, size, weighted, gathered, batch);
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
  if (!choleskySolve(scratch.a, scratch.b, k)) {
    throw new Error(`implicit ALS: the system of row ${row} is not positive definite`);
  }
  factors.set(scratch.b, row * k);
}

/**
 * Improves one row in place by `steps` conjugate-gradient iterations on the same system as
 * {@link solveImplicitRow}, from its current value (Takács et al. 2011, as in `implicit`):
 * O(steps·(k² + n·k)) instead of O(n·k² + k³).
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
  const { k, fixedFactors, gram } = side;
  const { b: x, r, p, ap } = scratch;
  const out = row * k;
  for (let d = 0; d < k; d++) x[d] = factors[out + d];
  const lambda = implicitRowRegularization(side, end - start);
  const gramScale = side.solvingItems && side.itemWeights ? side.itemWeights[row] : 1;
  // r = b − A·x with A·x = s·G·x + Σ w (f·x) f + λx and b = Σ (α₀π + w) p f.
  for (let d = 0; d < k; d++) {
    let s = 0;
    const rowG = d * k;
    for (let e = 0; e < k; e++) s += gram[rowG + e] * x[e];
    r[d] = -(gramScale * s + lambda * x[d]);
  }
  for (let q = start; q < end; q++) {
    const base = indices[q] * k;
    let dot = 0;
    for (let d = 0; d < k; d++) dot += fixedFactors[base + d] * x[d];
    const w = weights[q];
    const coefficient = (unobservedOf(side, indices, q, row) + w) * targets[q] - w * dot;
    for (let d = 0; d < k; d++) r[d] += coefficient * fixedFactors[base + d];
  }
  let rsOld = 0;
  for (let d = 0; d < k; d++) {
    p[d] = r[d];
    rsOld += r[d] * r[d];
  }
  for (let step = 0; step < steps && rsOld > 1e-20; step++) {
    for (let d = 0; d < k; d++) {
      let s = 0;
      const rowG = d * k;
      for (let e = 0; e < k; e++) s += gram[rowG + e] * p[e];
      ap[d] = gramScale * s + lambda * p[d];
    }
    for (let q = start; q < end; q++) {
      const w = weights[q];
      if (w === 0) continue;
      const base = indices[q] * k;
      let dot = 0;
      for (let d = 0; d < k; d++) dot += fixedFactors[base + d] * p[d];
      dot *= w;
      for (let d = 0; d < k; d++) ap[d] += dot * fixedFactors[base + d];
    }
    let pAp = 0;
    for (let d = 0; d < k; d++) pAp += p[d] * ap[d];
    const alpha = rsOld / pAp;
    let rsNew = 0;
    for (let d = 0; d < k; d++) {
      x[d] += alpha * p[d];
      r[d] -= alpha * ap[d];
      rsNew += r[d] * r[d];
    }
    const beta = rsNew / rsOld;
    for (let d = 0; d < k; d++) p[d] = r[d] + beta * p[d];
    rsOld = rsNew;
  }
  for (let d = 0; d < k; d++) factors[out + d] = x[d];
}

/**
 * Adds Σ s_r·f_r·f_rᵀ over rows [start, end) of `factors` (rows × k) to the lower triangle of
 * `gram` (k × k), s_r = scale·rowWeights[r] (or scale): one partial sum of the Gram matrix
 * that every row solve of the other side shares.
 */
export function addGramRows(
  gram: Float64Array,
  factors: Float64Array,
  k: number,
  start: number,
  end: number,
  scale: number,
  rowWeights: Float64Array | undefined,
): void {
  for (let row = start; row < end; row++) {
    const base = row * k;
    const s = rowWeights ? scale * rowWeights[row] : scale;
    for (let r = 0; r < k; r++) {
      const fr = s * factors[base + r];
      const rowG = r * k;
      for (let c = 0; c <= r; c++) gram[rowG + c] += fr * factors[base + c];
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
