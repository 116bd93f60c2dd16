import { describe, expect, it } from 'vitest';
import { listMetrics } from './list-metrics.js';

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
