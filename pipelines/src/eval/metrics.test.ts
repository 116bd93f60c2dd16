import { describe, expect, it } from 'vitest';
import { popularityPercentiles, RankingAccumulator, ratingErrors } from './metrics.js';

describe('ratingErrors', () => {
  it('clips predictions to [0.5, 5] before measuring', () => {
    // Errors after clipping: 5 - 4 = 1, 0.5 - 1 = -0.5, 3 - 3 = 0, 3.5 - 4.5 = -1.
    const { rmse, mae } = ratingErrors([6, -2, 3, 3.5], [4, 1, 3, 4.5]);
    expect(rmse).toBeCloseTo(Math.sqrt((1 + 0.25 + 0 + 1) / 4), 12);
    expect(mae).toBeCloseTo((1 + 0.5 + 0 + 1) / 4, 12);
  });

  it('refuses mismatched lengths', () => {
    expect(() => ratingErrors([1], [1, 2])).toThrow(/as many predictions/);
  });
});

describe('popularityPercentiles', () => {
  it('ranks movies by train count, ties sharing a mid rank', () => {
    // Counts 5, 0, 5, 2: item 1 is least rated, items 0 and 2 tie for most.
    expect([...popularityPercentiles([5, 0, 5, 2])]).toEqual([
      (100 * 2.5) / 3,
      0,
      (100 * 2.5) / 3,
      100 / 3,
    ]);
  });
});

describe('RankingAccumulator', () => {
  it('averages over users and measures coverage and popularity of the top 10s', () => {
    const percentiles = Float64Array.from({ length: 40 }, (_, i) => i * 2.5);
    const accumulator = new RankingAccumulator(percentiles);
    accumulator.add([0, 1, 2], new Set([0]));
    accumulator.add([2, 3], new Set([9]));
    const summary = accumulator.summary();
    expect(summary.users).toBe(2);
    expect(summary.hr10).toBe(0.5);
    expect(summary.ndcg10).toBe(0.5);
    expect(summary.coverage10).toBe(4 / 40);
    // Recommended items 0, 1, 2, 2, 3 with percentiles 0, 2.5, 5, 5, 7.5.
    expect(summary.popularityPercentile).toBeCloseTo(20 / 5, 12);
  });
});
