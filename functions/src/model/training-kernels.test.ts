import { describe, expect, it } from 'vitest';
import { roundUp4 } from './linalg.js';
import { mulberry32 } from './random.js';
import { referenceSolve } from './test-support.js';
import { TrainingKernels } from './training-kernels.js';

const random = mulberry32(11);

/**
 * The scalar Cholesky–Banachiewicz solve the kernel replaces (inner products with four running
 * sums), to compare with bit for bit.
 */
function scalarCholeskySolve(a: Float64Array, b: Float64Array, n: number): boolean {
  const dotPrefix = (x: number, y: number, length: number) => {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let p = 0;
    for (; p + 3 < length; p += 4) {
      s0 += a[x + p]! * a[y + p]!;
      s1 += a[x + p + 1]! * a[y + p + 1]!;
      s2 += a[x + p + 2]! * a[y + p + 2]!;
      s3 += a[x + p + 3]! * a[y + p + 3]!;
    }
    for (; p < length; p++) s0 += a[x + p]! * a[y + p]!;
    return s0 + s1 + (s2 + s3);
  };
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]! - dotPrefix(j * n, j * n, j);
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    a[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      a[i * n + j] = (a[i * n + j]! - dotPrefix(i * n, j * n, j)) * (1 / d);
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= a[i * n + p]! * b[p]!;
    b[i] = s / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let p = i + 1; p < n; p++) s -= a[p * n + i]! * b[p]!;
    b[i] = s / a[i * n + i]!;
  }
  return true;
}

/** Fills the first k values of each of `rows` vectors (stride size) and leaves the padding zero. */
function fillRows(array: Float64Array, rows: number, k: number, size: number): void {
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < k; d++) array[r * size + d] = random() - 0.5;
  }
}

describe('TrainingKernels', () => {
  it('gram equals the scalar sum with one accumulator per entry, bit for bit', () => {
    for (const [k, n] of [
      [1, 1],
      [5, 13],
      [17, 128],
      [64, 37],
    ] as const) {
      const size = roundUp4(k);
      const kernels = new TrainingKernels([size * size, size * n, size * n]);
      const g = kernels.array(size * size);
      const left = kernels.array(size * n);
      const right = kernels.array(size * n);
      fillRows(left, n, k, size);
      fillRows(right, n, k, size);
      g.fill(1);
      kernels.gram(g, size, left, right, n);
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          if (c - (c % 4) > r) {
            expect(g[r * size + c]).toBe(1);
            continue;
          }
          let sum = 0;
          for (let q = 0; q < n; q++) sum += left[q * size + r]! * right[q * size + c]!;
          expect(g[r * size + c]).toBe(1 + sum);
        }
      }
    }
  });

  it('rotate equals the scalar product f·V summed over d in order, bit for bit', () => {
    for (const k of [1, 3, 5, 8, 13, 64]) {
      const size = roundUp4(k);
      const count = 9;
      const kernels = new TrainingKernels([size * count, k * k, k]);
      const rows = kernels.array(size * count);
      const rotation = kernels.array(k * k);
      fillRows(rows, count, k, size);
      fillRows(rotation, k, k, k);
      const before = rows.slice();
      kernels.rotate(rows, count, k, size, rotation, kernels.array(k));
      for (let r = 0; r < count; r++) {
        for (let c = 0; c < size; c++) {
          let sum = 0;
          for (let d = 0; d < k; d++) sum += before[r * size + d]! * rotation[d * k + c]!;
          expect(rows[r * size + c]).toBe(c < k ? sum : 0);
        }
      }
    }
  });

  it('cellTerms adds the conjugate-gradient terms of every cell, reading vectors by index', () => {
    for (const [k, n, rowCount] of [
      [1, 3, 2],
      [6, 10, 7],
      [64, 50, 30],
    ] as const) {
      const size = roundUp4(k);
      const kernels = new TrainingKernels([n / 2, n, n, k, k, k]);
      const indices = kernels.int32Array(n);
      const weights = kernels.array(n);
      const coefficients = kernels.array(n);
      const v = kernels.array(k);
      const out = kernels.array(k);
      const diagonal = kernels.array(k);
      const rows = kernels.rows(size * rowCount);
      fillRows(rows, rowCount, k, size);
      for (let q = 0; q < n; q++) {
        // In any order, some twice.
        indices[q] = Math.floor(random() * rowCount);
        weights[q] = 3 * random();
        coefficients[q] = random();
      }
      for (let d = 0; d < k; d++) {
        v[d] = random() - 0.5;
        out[d] = random();
        diagonal[d] = random();
      }
      for (const residual of [false, true]) {
        const wantOut = out.slice();
        const wantDiagonal = diagonal.slice();
        for (let q = 0; q < n; q++) {
          const base = indices[q]! * size;
          let dot = 0;
          for (let d = 0; d < k; d++) dot += rows[base + d]! * v[d]!;
          const w = weights[q]!;
          const t = residual ? coefficients[q]! - w * dot : w * dot;
          for (let d = 0; d < k; d++) {
            const f = rows[base + d]!;
            wantOut[d] += t * f;
            if (residual) wantDiagonal[d] += w * f * f;
          }
        }
        kernels.cellTerms(
          rows,
          indices,
          n,
          size,
          v,
          out,
          weights,
          coefficients,
          residual ? diagonal : undefined,
        );
        for (let d = 0; d < k; d++) {
          expect(out[d]).toBeCloseTo(wantOut[d]!, 12);
          expect(diagonal[d]).toBeCloseTo(wantDiagonal[d]!, 12);
        }
      }
    }
  });

  it('rows grows the memory and leaves the arrays handed out before intact', () => {
    const kernels = new TrainingKernels([4]);
    const array = kernels.array(4);
    array.set([1, 2, 3, 4]);
    kernels.rows(8).fill(5);
    const rows = kernels.rows(1_000_000);
    expect(Array.from(array)).toEqual([1, 2, 3, 4]);
    expect(rows[7]).toBe(5);
    rows[999_999] = 6;
    expect(Array.from(array)).toEqual([1, 2, 3, 4]);
  });

  it('choleskySolve solves a 3×3 system worked out by hand', () => {
    // A = [[4,2,0],[2,5,1],[0,1,3]], x = (1, -1, 2) → b = (2, -1, 5).
    const kernels = new TrainingKernels([9, 3]);
    const a = kernels.array(9);
    a.set([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const b = kernels.array(3);
    b.set([2, -1, 5]);
    expect(kernels.choleskySolve(a, b, 3)).toBe(true);
    expect(Array.from(b)).toEqual([
      expect.closeTo(1, 12),
      expect.closeTo(-1, 12),
      expect.closeTo(2, 12),
    ]);
  });

  it('choleskySolve agrees with ml-matrix, and with the scalar solve bit for bit', () => {
    for (const n of [1, 2, 5, 17, 64, 65]) {
      const m = Array.from({ length: n }, () => Array.from({ length: n }, () => random() - 0.5));
      const matrix = m.map((row, r) =>
        row.map((_, c) => m.reduce((s, other) => s + other[r]! * other[c]!, 0) + (r === c ? 1 : 0)),
      );
      const rhs = Array.from({ length: n }, () => random());
      const kernels = new TrainingKernels([n * n, n]);
      const a = kernels.array(n * n);
      const b = kernels.array(n);
      a.set(matrix.flat());
      b.set(rhs);
      const scalarA = a.slice();
      const scalarB = b.slice();
      expect(kernels.choleskySolve(a, b, n)).toBe(true);
      expect(scalarCholeskySolve(scalarA, scalarB, n)).toBe(true);
      const want = referenceSolve(matrix, rhs);
      for (let r = 0; r < n; r++) {
        expect(b[r]).toBeCloseTo(want[r]!, 10);
        expect(b[r]).toBe(scalarB[r]);
        for (let c = 0; c <= r; c++) expect(a[r * n + c]).toBe(scalarA[r * n + c]);
      }
    }
  });

  it('choleskySolve reports a matrix that is not positive definite', () => {
    const kernels = new TrainingKernels([4, 2]);
    const a = kernels.array(4);
    a.set([1, 2, 2, 1]);
    const b = kernels.array(2);
    expect(kernels.choleskySolve(a, b, 2)).toBe(false);
    a.set([Number.NaN, 0, 0, 1]);
    expect(kernels.choleskySolve(a, b, 2)).toBe(false);
  });

  it('refuses arrays beyond the room it was given', () => {
    const kernels = new TrainingKernels([4]);
    kernels.array(3);
    expect(() => kernels.array(1)).toThrow(RangeError);
  });
});
