import { describe, expect, it } from 'vitest';
import { bayesianAverage } from './popularity-score.js';

describe('bayesianAverage', () => {
  it('shrinks a mean toward the global mean by priorCount pseudo-ratings', () => {
    expect(bayesianAverage(1, 5, 3, 10)).toBeCloseTo((10 * 3 + 5) / 11, 12);
    expect(bayesianAverage(100, 4.5, 3, 10)).toBeCloseTo((10 * 3 + 450) / 110, 12);
    expect(bayesianAverage(4, 2, 3, 0)).toBe(2);
  });

  it('puts an unrated movie last', () => {
    expect(bayesianAverage(0, 0, 3, 10)).toBe(Number.NEGATIVE_INFINITY);
  });
});
