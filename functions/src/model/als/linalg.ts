import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Small dense helpers on row-major Float64Array matrices. The solves of the ALS inner loop are
 * WebAssembly kernels (training-kernels.ts).
 */

/**
 * Given the Cholesky factor L of A (lower triangle, n×n row-major, as
 * TrainingKernels.choleskySolve leaves it), overwrites b with the solution of L·Lᵀ·x = b.
 */
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

/** Copies the lower triangle of A (n×n) onto its upper triangle. */
export function mirrorLower(a: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < r; c++) a[c * n + r] = a[r * n + c];
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
