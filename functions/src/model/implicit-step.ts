import { addOuterLower, choleskySolve } from './linalg.js';

/**
 * One half-step of weighted implicit ALS (Hu, Koren & Volinsky 2008, generalised): every
 * (row, column) cell has a target p (0 where nothing was observed) and a confidence c
 * (α₀ where nothing was observed, α₀ + w for an observed cell with evidence weight w), and
 * each row solves
 *
 *   (α₀·FᵀF + Σ_j w_j·f_j·f_jᵀ + λ_r·I) x = Σ_j (α₀ + w_j)·p_j·f_j,   λ_r = λ·(n + α₀·m)^ν,
 *
 * over its observed cells j, n of them, m being the number of fixed-side rows (the
 * frequency-scaled regularisation of Rendle et al. 2021; ν = 0 gives a plain λ). The same
 * function solves users (F = item factors) and items (F = user factors).
 */
export interface ImplicitSide {
  readonly k: number;
  readonly unobservedWeight: number;
  readonly regularization: number;
  readonly frequencyExponent: number;
  /** Factors of the fixed side, row-major (rows × k). */
  readonly fixedFactors: Float64Array;
  /** α₀·FᵀF (k × k, row-major, both triangles), computed once per half-step. */
  readonly gram: Float64Array;
}

/** Work space for one thread's row solves at dimension k. */
export interface ImplicitScratch {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
}

/** Allocates the work space for {@link solveImplicitRow} at dimension k. */
export function implicitScratch(k: number): ImplicitScratch {
  return {
    a: new Float64Array(k * k),
    b: new Float64Array(k),
    r: new Float64Array(k),
    p: new Float64Array(k),
    ap: new Float64Array(k),
  };
}

/** λ_r for a row with `count` observed cells. */
export function implicitRowRegularization(side: ImplicitSide, count: number): number {
  const fixedCount = side.fixedFactors.length / side.k;
  return (
    side.regularization * (count + side.unobservedWeight * fixedCount) ** side.frequencyExponent
  );
}

/**
 * Builds one row's system in `scratch.a` (lower triangle) and `scratch.b` from its observed
 * cells `[start, end)`: columns `indices`, evidence weights `weights`, targets `targets`.
 */
export function buildImplicitSystem(
  side: ImplicitSide,
  indices: Int32Array,
  weights: Float32Array,
  targets: Float32Array,
  start: number,
  end: number,
  scratch: ImplicitScratch,
): void {
  const { k, fixedFactors, unobservedWeight } = side;
  const { a, b } = scratch;
  a.set(side.gram);
  b.fill(0);
  for (let q = start; q < end; q++) {
    const base = indices[q] * k;
    const w = weights[q];
    if (w !== 0) addOuterLower(a, k, w, fixedFactors, base);
    const coefficient = (unobservedWeight + w) * targets[q];
    if (coefficient !== 0) {
      for (let d = 0; d < k; d++) b[d] += coefficient * fixedFactors[base + d];
    }
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
  buildImplicitSystem(side, indices, weights, targets, start, end, scratch);
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
  const { k, fixedFactors, unobservedWeight, gram } = side;
  const { b: x, r, p, ap } = scratch;
  const out = row * k;
  for (let d = 0; d < k; d++) x[d] = factors[out + d];
  const lambda = implicitRowRegularization(side, end - start);
  // r = b − A·x with A·x = α₀FᵀF·x + Σ w (f·x) f + λx and b = Σ (α₀ + w) p f.
  for (let d = 0; d < k; d++) {
    let s = lambda * x[d];
    const rowG = d * k;
    for (let e = 0; e < k; e++) s += gram[rowG + e] * x[e];
    r[d] = -s;
  }
  for (let q = start; q < end; q++) {
    const base = indices[q] * k;
    let dot = 0;
    for (let d = 0; d < k; d++) dot += fixedFactors[base + d] * x[d];
    const coefficient = (unobservedWeight + weights[q]) * targets[q] - weights[q] * dot;
    for (let d = 0; d < k; d++) r[d] += coefficient * fixedFactors[base + d];
  }
  let rsOld = 0;
  for (let d = 0; d < k; d++) {
    p[d] = r[d];
    rsOld += r[d] * r[d];
  }
  for (let step = 0; step < steps && rsOld > 1e-20; step++) {
    for (let d = 0; d < k; d++) {
      let s = lambda * p[d];
      const rowG = d * k;
      for (let e = 0; e < k; e++) s += gram[rowG + e] * p[e];
      ap[d] = s;
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
 * Adds α₀·Σ f·fᵀ over rows [start, end) of `factors` (rows × k) to the lower triangle of
 * `gram` (k × k): one partial sum of the Gram matrix that every row solve of the other side
 * shares.
 */
export function addGramRows(
  gram: Float64Array,
  factors: Float64Array,
  k: number,
  start: number,
  end: number,
  scale: number,
): void {
  for (let row = start; row < end; row++) addOuterLower(gram, k, scale, factors, row * k);
}
