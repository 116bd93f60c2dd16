import { describe, expect, it } from 'vitest';
import { listMetrics, popularityPercentiles, RankingAccumulator, ratingErrors } from './metrics.js';

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

describe('listMetrics', () => {
  // 20 items ranked; relevant items 1 (rank 2), 2 (rank 4) and 12 (rank 12).
  const ranked = [5, 1, 7, 2, 9, 3, 4, 8, 6, 0, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const relevant = new Set([1, 2, 12]);

  it('matches values worked out by hand', () => {
    const metrics = listMetrics(ranked, relevant);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(metrics.ndcg10).toBeCloseTo(dcg / idcg, 12);
    expect(metrics.ndcg10).toBeCloseTo(0.498192, 5);
    expect(metrics.recall10).toBeCloseTo(2 / 3, 12);
    expect(metrics.recall20).toBe(1);
    expect(metrics.precision10).toBeCloseTo(0.2, 12);
    // Precision at the hits: 1/2 at rank 2, 2/4 at rank 4; divided by min(10, 3).
    expect(metrics.map10).toBeCloseTo((1 / 2 + 2 / 4) / 3, 12);
    expect(metrics.hr10).toBe(1);
  });

  it('is perfect for a perfect list and zero with no hit', () => {
    expect(listMetrics([1, 2, 12, 5], relevant)).toEqual({
      ndcg10: 1,
      recall10: 1,
      recall20: 1,
      precision10: 0.3,
      map10: 1,
      hr10: 1,
    });
    expect(listMetrics([5, 6, 7], relevant)).toEqual({
      ndcg10: 0,
      recall10: 0,
      recall20: 0,
      precision10: 0,
      map10: 0,
      hr10: 0,
    });
  });

  it('caps the ideal DCG and MAP denominator at 10 relevant items', () => {
    const many = new Set(Array.from({ length: 15 }, (_, n) => n));
    const metrics = listMetrics([0, 100, 101, 102, 103, 104, 105, 106, 107, 108], many);
    let idcg = 0;
    for (let r = 1; r <= 10; r++) idcg += 1 / Math.log2(r + 1);
    expect(metrics.ndcg10).toBeCloseTo(1 / idcg, 12);
    expect(metrics.map10).toBeCloseTo(1 / 10, 12);
    expect(metrics.recall10).toBeCloseTo(1 / 15, 12);
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
