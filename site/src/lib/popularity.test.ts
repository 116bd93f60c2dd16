import { describe, expect, it } from 'vitest';
import { pickOnboarding, rankByPopularity } from './popularity.js';

describe('rankByPopularity', () => {
  it('shrinks few ratings toward the global mean', () => {
    const totals = new Map([
      [1, { count: 1, sum: 5 }], // one perfect rating
      [2, { count: 100, sum: 450 }], // many 4.5s
      [3, { count: 9, sum: 18 }],
    ]);
    const { ranked, globalMean, priorWeight } = rankByPopularity(totals, [4, 1, 2, 3]);
    expect(globalMean).toBeCloseTo(473 / 110, 12);
    expect(priorWeight).toBe(10);
    expect(ranked.map((p) => p.movieId)).toEqual([2, 1, 3, 4]);
    expect(ranked[0]).toEqual({
      movieId: 2,
      ratingsCount: 100,
      meanRating: 4.5,
      score: (10 * (473 / 110) + 450) / (10 + 100),
    });
    expect(ranked[1].score).toBeCloseTo((10 * (473 / 110) + 5) / 11, 12);
    expect(ranked[3]).toEqual({
      movieId: 4,
      ratingsCount: 0,
      meanRating: null,
      score: Number.NEGATIVE_INFINITY,
    });
    expect(
      rankByPopularity(totals, [1, 2], { priorWeight: 0 }).ranked.map((p) => p.movieId),
    ).toEqual([1, 2]);
  });

  it('breaks ties by count, then id', () => {
    const totals = new Map([
      [7, { count: 2, sum: 8 }],
      [5, { count: 2, sum: 8 }],
      [6, { count: 4, sum: 16 }],
    ]);
    expect(rankByPopularity(totals, [7, 5, 6]).ranked.map((p) => p.movieId)).toEqual([6, 5, 7]);
  });
});

describe('pickOnboarding', () => {
  it('takes the most-rated movie of each genre in turn, without repeats', () => {
    const movies = [
      { movieId: 1, genres: ['Drama'], ratingsCount: 90 },
      { movieId: 2, genres: ['Drama', 'Sci-Fi'], ratingsCount: 80 },
      { movieId: 3, genres: ['Sci-Fi'], ratingsCount: 50 },
      { movieId: 4, genres: ['Comedy'], ratingsCount: 40 },
      { movieId: 5, genres: ['Drama'], ratingsCount: 30 },
      { movieId: 6, genres: [], ratingsCount: 1000 },
    ];
    // Genre weights: Drama 200, Sci-Fi 130, Comedy 40.
    expect(pickOnboarding(movies, 4).map((m) => m.movieId)).toEqual([1, 2, 4, 5]);
    expect(pickOnboarding(movies, 10).map((m) => m.movieId)).toEqual([1, 2, 4, 5, 3]);
  });
});
