import { describe, expect, it } from 'vitest';
import { TrainingKernels } from '../kernels/training-kernels.js';
import { choleskySubstitute, mirrorLower } from './linalg.js';

describe('mirrorLower', () => {
  it('copies the lower triangle up', () => {
    const a = Float64Array.of(1, 0, 0, 2, 3, 0, 4, 5, 6);
    mirrorLower(a, 3);
    expect(Array.from(a)).toEqual([1, 2, 4, 2, 3, 5, 4, 5, 6]);
  });
});

describe('choleskySubstitute', () => {
  it('solves again with the factor the kernel left', () => {
    // A = [[4,2,0],[2,5,1],[0,1,3]], x = (1, -1, 2) → b = (2, -1, 5).
    const kernels = new TrainingKernels([9, 3]);
    const a = kernels.array(9);
    a.set([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const b = kernels.array(3);
    b.set([1, 1, 1]);
    expect(kernels.choleskySolve(a, b, 3)).toBe(true);
    const again = Float64Array.of(2, -1, 5);
    choleskySubstitute(a, again, 3);
    expect(Array.from(again)).toEqual([
      expect.closeTo(1, 12),
      expect.closeTo(-1, 12),
      expect.closeTo(2, 12),
    ]);
  });
});
