import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';
import { symmetricEigen } from './symmetric-eigen.js';

const random = mulberry32(3);

/** A random symmetric n×n matrix: a Gram matrix of `rows` random rows, as the trainer's. */
function randomGram(n: number, rows: number): Float64Array {
  const a = new Float64Array(n * n);
  const f = Float64Array.from({ length: rows * n }, () => random() - 0.5);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i * n + j] += f[r * n + i]! * f[r * n + j]!;
    }
  }
  return a;
}

describe('symmetricEigen', () => {
  it('gives ml-matrix’s eigenvalues and eigenvectors bit for bit', () => {
    const cases = [
      randomGram(1, 3),
      randomGram(2, 5),
      randomGram(7, 3), // rank-deficient
      Float64Array.of(2, 0, 0, 0, 1, 0, 0, 0, 3), // already diagonal
      randomGram(64, 200),
    ];
    for (const a of cases) {
      const n = Math.round(Math.sqrt(a.length));
      const rows = Array.from({ length: n }, (_, r) => Array.from(a.subarray(r * n, r * n + n)));
      const want = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
      const got = symmetricEigen(a, n);
      expect(Array.from(got.values)).toEqual(want.realEigenvalues);
      expect(Array.from(got.vectors)).toEqual(want.eigenvectorMatrix.to1DArray());
    }
  });

  it('diagonalises: A·V = V·Λ with V orthonormal and Λ ascending', () => {
    const n = 13;
    const a = randomGram(n, 20);
    const { values, vectors } = symmetricEigen(a, n);
    for (let j = 0; j + 1 < n; j++) expect(values[j]).toBeLessThanOrEqual(values[j + 1]!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let av = 0;
        let vv = 0;
        for (let p = 0; p < n; p++) {
          av += a[i * n + p]! * vectors[p * n + j]!;
          vv += vectors[p * n + i]! * vectors[p * n + j]!;
        }
        expect(av).toBeCloseTo(vectors[i * n + j]! * values[j]!, 10);
        expect(vv).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });
});
