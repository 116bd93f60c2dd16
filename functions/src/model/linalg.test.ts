import { describe, expect, it } from 'vitest';
import { addGramBlocked, choleskySolve, mirrorLower } from './linalg.js';
import { mulberry32 } from './random.js';
import { referenceSolve } from './test-support.js';

describe('choleskySolve', () => {
  it('solves a 3×3 system worked out by hand', () => {
    // A = [[4,2,0],[2,5,1],[0,1,3]], x = (1, -1, 2) → b = (2, -1, 5).
    const a = Float64Array.of(4, 2, 0, 2, 5, 1, 0, 1, 3);
    const b = Float64Array.of(2, -1, 5);
    expect(choleskySolve(a, b, 3)).toBe(true);
    expect(Array.from(b)).toEqual([
      expect.closeTo(1, 12),
      expect.closeTo(-1, 12),
      expect.closeTo(2, 12),
    ]);
  });

  it('agrees with ml-matrix on random positive-definite systems', () => {
    const random = mulberry32(3);
    for (const n of [1, 5, 17, 64]) {
      const m = Array.from({ length: n }, () => Array.from({ length: n }, () => random() - 0.5));
      const a = m.map((row, r) =>
        row.map((_, c) => m.reduce((s, other) => s + other[r]! * other[c]!, 0) + (r === c ? 1 : 0)),
      );
      const b = Array.from({ length: n }, () => random());
      const x = Float64Array.from(b);
      expect(choleskySolve(Float64Array.from(a.flat()), x, n)).toBe(true);
      const want = referenceSolve(a, b);
      for (let r = 0; r < n; r++) expect(x[r]).toBeCloseTo(want[r]!, 10);
    }
  });

  it('reports a matrix that is not positive definite', () => {
    expect(choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBe(false);
  });
});

describe('addGramBlocked', () => {
  it('equals the naive sum of products on the lower triangle', () => {
    const random = mulberry32(9);
    const size = 8;
    const n = 13;
    const left = Float64Array.from({ length: size * n }, () => random() - 0.5);
    const right = Float64Array.from({ length: size * n }, () => random() - 0.5);
    const g = new Float64Array(size * size).fill(1);
    addGramBlocked(g, size, left, right, n);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c <= r; c++) {
        let want = 1;
        for (let q = 0; q < n; q++) want += left[r * n + q]! * right[c * n + q]!;
        expect(g[r * size + c]).toBeCloseTo(want, 12);
      }
    }
  });

  it('mirrorLower copies the lower triangle up', () => {
    const a = Float64Array.of(1, 0, 0, 2, 3, 0, 4, 5, 6);
    mirrorLower(a, 3);
    expect(Array.from(a)).toEqual([1, 2, 4, 2, 3, 5, 4, 5, 6]);
  });
});
