import { describe, expect, it } from 'vitest';
import { percentile, relativeDifference } from './protocol-f.js';

describe('relativeDifference', () => {
  it('is the largest difference over the largest magnitude', () => {
    expect(relativeDifference([1, 2.5, -4], [1, 2, -4])).toBeCloseTo(0.5 / 4, 15);
    expect(relativeDifference([3, 4], [3, 4])).toBe(0);
    // Against a zero vector it falls back to the absolute difference.
    expect(relativeDifference([1e-9, 0], [0, 0])).toBe(1e-9);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, n) => 100 - n);
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile(samples, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
  });
});
