import { describe, expect, it } from 'vitest';
import type { Ratings } from '../types.js';
import {
  bayesianAverage,
  itemPopularity,
  popularityByCount,
  scoreItemKnn,
  trainItemKnn,
} from './baselines.js';
import { buildLayout } from './rating-layout.js';

// Three users, four items. Item 0: ★5, ★4, ★3 (three raters); item 1: ★5 (one); item 2: ★2, ★1;
// item 3 unrated. Global mean = (5+4+3+5+2+1)/6 = 10/3.
const ratings: Ratings = {
  userCount: 3,
  itemCount: 4,
  user: Int32Array.of(0, 1, 2, 0, 1, 2),
  item: Int32Array.of(0, 0, 0, 1, 2, 2),
  value: Float32Array.of(5, 4, 3, 5, 2, 1),
};

describe('popularity', () => {
  const popularity = itemPopularity(ratings);

  it('counts ratings and averages them per item', () => {
    expect(Array.from(popularity.counts)).toEqual([3, 1, 2, 0]);
    expect(Array.from(popularity.means)).toEqual([4, 5, 1.5, 0]);
    expect(popularity.globalMean).toBeCloseTo(10 / 3, 12);
    expect(Array.from(popularityByCount(popularity))).toEqual([3, 1, 2, 0]);
  });

  it('shrinks each mean towards the global mean by m ratings (Bayesian average)', () => {
    const scores = bayesianAverage(popularity, { priorCount: 2 });
    // Item 0: (2·10/3 + 12)/5 = 56/15; item 1: (20/3 + 5)/3 = 35/9; item 2: (20/3 + 3)/4 = 29/12.
    expect(scores[0]).toBeCloseTo(56 / 15, 12);
    expect(scores[1]).toBeCloseTo(35 / 9, 12);
    expect(scores[2]).toBeCloseTo(29 / 12, 12);
    expect(scores[3]).toBe(Number.NEGATIVE_INFINITY);
    // With m = 0 it is the plain mean: the single ★5 beats three ratings averaging ★4.
    const plain = bayesianAverage(popularity, { priorCount: 0 });
    expect(plain[1]).toBeGreaterThan(plain[0]!);
    expect(scores[1]).toBeGreaterThan(scores[0]!);
  });
});

describe('item-kNN (binary cosine)', () => {
  it('finds co-rated neighbours with cosine similarity', () => {
    const knn = trainItemKnn(buildLayout(ratings), 2);
    // Item 0 raters {0,1,2}; item 1 {0}; item 2 {1,2}. cos(0,1) = 1/√3, cos(0,2) = 2/√6.
    const neighboursOf = (i: number) =>
      Array.from(knn.items.subarray(knn.offsets[i], knn.offsets[i + 1]));
    expect(neighboursOf(0)).toEqual([2, 1]);
    expect(knn.similarities[knn.offsets[0]]).toBeCloseTo(2 / Math.sqrt(6), 12);
    expect(knn.similarities[knn.offsets[0]! + 1]).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(neighboursOf(1)).toEqual([0]);
    expect(neighboursOf(3)).toEqual([]);
    const scores = new Float64Array(4);
    scoreItemKnn(knn, Int32Array.of(1, 2), scores);
    // Rated 1 and 2: item 0 gets cos(1,0) + cos(2,0).
    expect(scores[0]).toBeCloseTo(1 / Math.sqrt(3) + 2 / Math.sqrt(6), 12);
    expect(scores[3]).toBe(0);
  });

  it('keeps at most `neighbors` per item and rejects a non-positive count', () => {
    const knn = trainItemKnn(buildLayout(ratings), 1);
    expect(knn.offsets[1]! - knn.offsets[0]!).toBe(1);
    expect(() => trainItemKnn(buildLayout(ratings), 0)).toThrow(
      'item-kNN: neighbors must be a positive integer, got 0',
    );
  });
});
