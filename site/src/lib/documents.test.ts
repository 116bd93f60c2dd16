import { describe, expect, it } from 'vitest';
import {
  effectiveRatings,
  readMovieStats,
  readPopular,
  readRecommendations,
  readUserRatings,
} from './documents.js';

describe('readRecommendations', () => {
  it('reads the contract and keeps the reason', () => {
    expect(
      readRecommendations('recommendations/u1', {
        basis: 'personal',
        modelVersion: 'v3',
        ratingsCount: 5,
        items: [
          { movieId: 1200, score: 2.1, predictedRating: 4.4, because: { movieId: 260, rating: 5 } },
          { movieId: 1, score: 1.9, predictedRating: 4.1 },
        ],
      }),
    ).toEqual({
      basis: 'personal',
      modelVersion: 'v3',
      ratingsCount: 5,
      items: [
        { movieId: 1200, score: 2.1, predictedRating: 4.4, because: { movieId: 260, rating: 5 } },
        { movieId: 1, score: 1.9, predictedRating: 4.1, because: null },
      ],
    });
  });

  it('names what is wrong', () => {
    expect(() => readRecommendations('recommendations/u1', { basis: 'magic', items: [] })).toThrow(
      'recommendations/u1: basis must be "popular" or "personal", not "magic"',
    );
    expect(() =>
      readRecommendations('recommendations/u1', { basis: 'personal', items: [{ movieId: 'x' }] }),
    ).toThrow('recommendations/u1.items[0]: must be an object with an integer movieId');
  });
});

describe('readPopular and readMovieStats', () => {
  it('read lists and live statistics', () => {
    expect(
      readPopular('public/popular', {
        items: [{ movieId: 318, score: 4.3, meanRating: 4.4, ratingsCount: 317 }],
      }),
    ).toEqual([{ movieId: 318, score: 4.3, meanRating: 4.4, ratingsCount: 317 }]);
    expect(
      readMovieStats('movies/1', {
        meanRating: 3.9,
        ratingsCount: 215,
        similar: [{ movieId: 3114, score: 0.8 }],
      }),
    ).toEqual({
      meanRating: 3.9,
      ratingsCount: 215,
      similar: [{ movieId: 3114, score: 0.8 }],
    });
  });
});

describe('ratings', () => {
  const stored = readUserRatings('users/u1', {
    ratings: {
      '1': { rating: 4, ratedAt: '2026-11-23T10:00:00.000Z', eventId: 'a' },
      '2': { rating: null, ratedAt: '2026-11-23T10:00:00.000Z', eventId: 'b' },
    },
  });

  it('reads ratings with tombstones', () => {
    expect(stored.get(2)).toEqual({
      rating: null,
      ratedAt: '2026-11-23T10:00:00.000Z',
      eventId: 'b',
    });
    expect(() => readUserRatings('users/u1', { ratings: { '1': { rating: 'x' } } })).toThrow(
      'users/u1.ratings.1',
    );
  });

  it('lets a newer local rating win until the stored one catches up', () => {
    const local = [
      { movieId: 1, rating: 2.5, ratedAt: '2026-11-23T10:05:00.000Z', eventId: 'c' },
      { movieId: 3, rating: 5, ratedAt: '2026-11-23T10:05:00.000Z', eventId: 'd' },
      { movieId: 2, rating: 3, ratedAt: '2026-11-23T09:00:00.000Z', eventId: 'e' },
    ];
    expect(effectiveRatings(stored, local)).toEqual(
      new Map([
        [1, 2.5],
        [2, null],
        [3, 5],
      ]),
    );
  });
});
