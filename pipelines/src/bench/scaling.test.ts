import { describe, expect, it } from 'vitest';
import { slope } from './scaling.js';

describe('slope', () => {
  it('recovers the exponent of a power law', () => {
    expect(slope([1, 2, 4, 8].map((x) => [x, 3 * x ** 1.5]))).toBeCloseTo(1.5, 12);
    expect(slope([10, 20, 40].map((x) => [x, 7]))).toBeCloseTo(0, 12);
  });
});
