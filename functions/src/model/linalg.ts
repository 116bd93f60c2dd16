import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Small dense solves on row-major Float64Array matrices, written out by hand because they are
 * the inner loop of every ALS step (one k×k system per user and per item).
 */

/**
 * Solves A·x = b for a symmetric positive-definite n×n matrix A (row-major; only the lower
 * triangle is read). A is overwritten with its Cholesky factor L (lower triangle) and b with x.
 * Returns false, leaving A and b partly overwritten, when A is not positive definite.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): boolean {
  if (!choleskyFactor(a, n)) return false;
  choleskySubstitute(a, b, n);
  return true;
}

/** Overwrites the lower triangle of A (n×n, row-major) with L, A = L·Lᵀ. */
export function choleskyFactor(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let d = a[rowJ + j] - dotPrefix(a, rowJ, rowJ, j);
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    a[rowJ + j] = d;
    const inv = 1 / d;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      a[rowI + j] = (a[rowI + j] - dotPrefix(a, rowI, rowJ, j)) * inv;
    }
  }
  return true;
}

// Σ_{p<length} a[x + p]·a[y + p] with four accumulators (the Cholesky inner loop).
function dotPrefix(a: Float64Array, x: number, y: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let p = 0;
  for (; p + 3 < length; p += 4) {
    s0 += a[x + p] * a[y + p];
    s1 += a[x + p + 1] * a[y + p + 1];
    s2 += a[x + p + 2] * a[y + p + 2];
    s3 += a[x + p + 3] * a[y + p + 3];
  }
  for (; p < length; p++) s0 += a[x + p] * a[y + p];
  return s0 + s1 + (s2 + s3);
}

/** Given L from {@link choleskyFactor}, overwrites b with the solution of L·Lᵀ·x = b. */
export function choleskySubstitute(l: Float64Array, b: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let s = b[i];
    for (let p = 0; p < i; p++) s -= l[row + p] * b[p];
    b[i] = s / l[row + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let p = i + 1; p < n; p++) s -= l[p * n + i] * b[p];
    b[i] = s / l[i * n + i];
  }
}

/**
 * Adds w·y·yᵀ to the lower triangle of the n×n matrix A, y being the n values of `source`
 * from `offset`.
 */
export function addOuterLower(
  a: Float64Array,
  n: number,
  w: number,
  source: Float64Array,
  offset: number,
): void {
  for (let r = 0; r < n; r++) {
    const wy = w * source[offset + r];
    const row = r * n;
    for (let c = 0; c <= r; c++) a[row + c] += wy * source[offset + c];
  }
}

/** Copies the lower triangle of A (n×n) onto its upper triangle. */
export function mirrorLower(a: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < r; c++) a[c * n + r] = a[r * n + c];
  }
}

/**
 * Adds Σ_q left[r·n + q]·right[c·n + q] (q < n) to g[r·size + c] for the lower triangle of
 * `size` × `size` g, by 4×4 register blocks (size a multiple of 4; the upper halves of the
 * diagonal blocks are written too). `left` and `right` hold one row per dimension, n values
 * each (transposed gathers of the vectors being summed), which keeps the inner loop on
 * contiguous memory with sixteen accumulators in registers: three to four times the speed of
 * rank-one updates in V8 (measured at k = 32 and 64, n = 20 to 1000).
 */
export function addGramBlocked(
  g: Float64Array,
  size: number,
  left: Float64Array,
  right: Float64Array,
  n: number,
): void {
  for (let r = 0; r < size; r += 4) {
    const r0 = r * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let c = 0; c <= r; c += 4) {
      const c0 = c * n;
      const c1 = c0 + n;
      const c2 = c1 + n;
      const c3 = c2 + n;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s23 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      let s33 = 0;
      for (let q = 0; q < n; q++) {
        const x0 = left[r0 + q];
        const x1 = left[r1 + q];
        const x2 = left[r2 + q];
        const x3 = left[r3 + q];
        const y0 = right[c0 + q];
        const y1 = right[c1 + q];
        const y2 = right[c2 + q];
        const y3 = right[c3 + q];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3;
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3;
      }
      const o0 = r * size + c;
      const o1 = o0 + size;
      const o2 = o1 + size;
      const o3 = o2 + size;
      g[o0] += s00;
      g[o0 + 1] += s01;
      g[o0 + 2] += s02;
      g[o0 + 3] += s03;
      g[o1] += s10;
      g[o1 + 1] += s11;
      g[o1 + 2] += s12;
      g[o1 + 3] += s13;
      g[o2] += s20;
      g[o2 + 1] += s21;
      g[o2 + 2] += s22;
      g[o2 + 3] += s23;
      g[o3] += s30;
      g[o3 + 1] += s31;
      g[o3 + 2] += s32;
      g[o3 + 3] += s33;
    }
  }
}

/** The smallest multiple of 4 that is ≥ n. */
export function roundUp4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Eigenvalues and eigenvectors of a symmetric n×n matrix (row-major, both triangles), by
 * ml-matrix (once per ALS half-step, not a hot loop): `vectors` is row-major with eigenvector
 * j in column j, so rotating a row vector f into the eigenbasis is f·V.
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const rows = Array.from({ length: n }, (_, r) => Array.from(a.subarray(r * n, r * n + n)));
  const decomposition = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  return {
    values: Float64Array.from(decomposition.realEigenvalues),
    vectors: Float64Array.from(decomposition.eigenvectorMatrix.to1DArray()),
  };
}
