import { describe, expect, it } from 'vitest';
import { roundUp4 } from '../als/linalg.js';
import { mulberry32 } from '../random.js';
import { referenceSolve } from '../test-support.js';
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

/**
 * The conjugate-gradient steps the refine kernel takes, in scalar float64 JavaScript (G k × k,
 * the rows with a stride of size).
 */
function scalarRefine(
  system: {
    rows: Float32Array;
    indices: Int32Array;
    weights: Float32Array;
    coefficients: Float32Array;
    gram: Float64Array;
  },
  n: number,
  size: number,
  k: number,
  scale: number,
  lambda: number,
  steps: number,
  x: Float64Array,
): Float64Array {
  const { rows, indices, weights, coefficients, gram } = system;
  // A·v without the cells, then the cells' terms (with c_q − w_q·(f_q·v) in the residual pass).
  const multiply = (v: Float64Array, residual: boolean) => {
    const out = new Float64Array(k);
    for (let d = 0; d < k; d++) {
      let s = 0;
      for (let e = 0; e < k; e++) s += gram[d * k + e]! * v[e]!;
      out[d] = scale * s + lambda * v[d]!;
      if (residual) out[d] = -out[d]!;
    }
    for (let q = 0; q < n; q++) {
      const base = indices[q]! * size;
      let dot = 0;
      for (let d = 0; d < k; d++) dot += rows[base + d]! * v[d]!;
      const t = residual ? coefficients[q]! - weights[q]! * dot : weights[q]! * dot;
      for (let d = 0; d < k; d++) out[d] += t * rows[base + d]!;
    }
    return out;
  };
  const m = new Float64Array(k);
  for (let d = 0; d < k; d++) {
    m[d] = scale * gram[d * k + d]! + lambda;
    for (let q = 0; q < n; q++) m[d] += weights[q]! * rows[indices[q]! * size + d]! ** 2;
  }
  const r = multiply(x, true);
  const z = r.map((value, d) => value / m[d]!);
  const p = z.slice();
  let rz = r.reduce((sum, value, d) => sum + value * z[d]!, 0);
  for (let step = 0; step < steps && rz > 1e-30; step++) {
    const ap = multiply(p, false);
    const alpha = rz / p.reduce((sum, value, d) => sum + value * ap[d]!, 0);
    let rzNew = 0;
    for (let d = 0; d < k; d++) {
      x[d] += alpha * p[d]!;
      r[d] -= alpha * ap[d]!;
      z[d] = r[d]! / m[d]!;
      rzNew += r[d]! * z[d]!;
    }
    for (let d = 0; d < k; d++) p[d] = z[d]! + (rzNew / rz) * p[d]!;
    rz = rzNew;
  }
  return x;
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

  it('gather copies, scales and sums the indexed rows as the scalar loop does, bit for bit', () => {
    for (const [k, n, from] of [
      [1, 1, 0],
      [5, 13, 2],
      [17, 40, 7],
      [64, 37, 3],
    ] as const) {
      const size = roundUp4(k);
      const count = 11;
      const sessionCount = 3;
      const cells = from + n;
      const kernels = new TrainingKernels([
        size * count,
        cells,
        cells,
        cells / 2,
        cells / 2,
        size * n,
        size * n,
        size,
        size * sessionCount,
      ]);
      const rows = kernels.array(size * count);
      const weights = kernels.array(cells);
      const coefficients = kernels.array(cells);
      const indices = kernels.int32Array(cells);
      const sessions = kernels.int32Array(cells);
      const gathered = kernels.array(size * n);
      const weighted = kernels.array(size * n);
      const b = kernels.array(size);
      const sessionSums = kernels.array(size * sessionCount);
      fillRows(rows, count, k, size);
      for (let q = 0; q < cells; q++) {
        indices[q] = Math.floor(random() * count);
        sessions[q] = Math.floor(random() * sessionCount);
        weights[q] = random();
        coefficients[q] = random() - 0.5;
      }
      b.fill(0.25);
      sessionSums.fill(0.5);
      const expectedB = b.slice();
      const expectedSums = sessionSums.slice();
      for (let q = from; q < cells; q++) {
        for (let d = 0; d < size; d++) {
          const f = rows[indices[q]! * size + d]!;
          expectedB[d] += coefficients[q]! * f;
          expectedSums[sessions[q]! * size + d] += f;
        }
      }
      const system = { rows, indices, weights, coefficients };
      kernels.gather(system, from, n, size, gathered, weighted, b, sessions, sessionSums);
      for (let q = 0; q < n; q++) {
        const f = rows.subarray(indices[from + q]! * size, indices[from + q]! * size + size);
        expect(gathered.subarray(q * size, q * size + size)).toEqual(f);
        expect(weighted.subarray(q * size, q * size + size)).toEqual(
          f.map((x) => weights[from + q]! * x),
        );
      }
      expect(b).toEqual(expectedB);
      expect(sessionSums).toEqual(expectedSums);
      // Without weighted or sessions, only gathered and b change.
      const sumsBefore = sessionSums.slice();
      const weightedBefore = weighted.slice();
      kernels.gather({ rows, indices, coefficients }, from, n, size, gathered, undefined, b);
      expect(sessionSums).toEqual(sumsBefore);
      expect(weighted).toEqual(weightedBefore);
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

  it('refine takes the scalar conjugate-gradient steps to float32 rounding, with a full or a diagonal Gram matrix', () => {
    for (const [k, n, rowCount, diagonal] of [
      [1, 3, 2, false],
      [6, 10, 7, true],
      [6, 10, 7, false],
      [64, 50, 30, true],
      [64, 50, 30, false],
      [13, 40, 30, false],
    ] as const) {
      const size = roundUp4(k);
      const vectors = Array.from({ length: 6 }, () => size / 2);
      const kernels = new TrainingKernels([
        n / 2,
        n / 2,
        n / 2,
        (k * size) / 2,
        size / 2,
        ...vectors,
      ]);
      const indices = kernels.int32Array(n);
      const weights = kernels.float32Array(n);
      const coefficients = kernels.float32Array(n);
      const gram32 = kernels.float32Array(k * size);
      const gramDiagonal = kernels.float32Array(size);
      const [x, r, p, ap, z, preconditioner] = vectors.map(() => kernels.float32Array(k)) as [
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const region = kernels.rows((size * rowCount) / 2);
      const rows = new Float32Array(region.buffer, region.byteOffset, size * rowCount);
      const rows64 = new Float64Array(size * rowCount);
      fillRows(rows64, rowCount, k, size);
      rows.set(rows64);
      for (let q = 0; q < n; q++) {
        // In any order, some twice.
        indices[q] = Math.floor(random() * rowCount);
        weights[q] = 3 * random();
        coefficients[q] = random();
      }
      const gram = new Float64Array(k * k);
      for (let d = 0; d < k; d++) {
        x[d] = random() - 0.5;
        gramDiagonal[d] = 1 + random();
        for (let e = 0; e <= d; e++) {
          // Values float32 holds exactly, so both sides solve the same system.
          const value =
            d === e ? gramDiagonal[d]! : diagonal ? 0 : Math.fround(0.1 * (random() - 0.5));
          gram[d * k + e] = value;
          gram[e * k + d] = value;
        }
      }
      for (let d = 0; d < k; d++) gram32.set(gram.subarray(d * k, d * k + k), d * size);
      const scale = Math.fround(0.7);
      const lambda = Math.fround(0.3);
      const steps = 3;
      const start = Float64Array.from(x);
      const want = scalarRefine(
        { rows, indices, weights, coefficients, gram },
        n,
        size,
        k,
        scale,
        lambda,
        steps,
        start.slice(),
      );
      kernels.refine(
        {
          rows,
          indices,
          weights,
          coefficients,
          gram: gram32,
          gramDiagonal: diagonal ? gramDiagonal : undefined,
        },
        n,
        scale,
        lambda,
        steps,
        { k, size, x, r, p, ap, z, preconditioner },
      );
      // Within float32 rounding of the float64 steps, and far from where they started (so a
      // kernel that left x alone, or took fewer steps, fails).
      let largest = 0;
      let moved = 0;
      for (let d = 0; d < k; d++) {
        largest = Math.max(largest, Math.abs(want[d]!));
        moved = Math.max(moved, Math.abs(want[d]! - start[d]!));
      }
      for (let d = 0; d < k; d++) {
        expect(Math.abs(x[d]! - want[d]!)).toBeLessThanOrEqual(1e-5 * largest);
      }
      expect(moved).toBeGreaterThan(1e-2 * largest);
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
