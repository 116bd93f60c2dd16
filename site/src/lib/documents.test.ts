import { UserRatings } from '@reel/functions/ratings';
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
  const at = (iso: string) => Date.parse(iso) * 1000;
  const packed = UserRatings.of([
    { movieId: 1, rating: 4, ratedAtMicros: at('2026-11-23T10:00:00.000Z'), eventTag: 0xa },
    { movieId: 2, rating: null, ratedAtMicros: at('2026-11-23T10:00:00.000Z'), eventTag: 0xb },
  ]).encode();
  // The web SDK hands a Bytes field over as an object with toUint8Array().
  const stored = readUserRatings('users/u1', { ratings: { toUint8Array: () => packed } });

  it('reads the packed ratings with tombstones', () => {
    expect(stored.get(2)).toEqual({
      rating: null,
      ratedAt: '2026-11-23T10:00:00.000Z',
      eventTag: 0xb,
    });
    expect(stored.get(1)?.rating).toBe(4);
    expect(readUserRatings('users/u1', {})).toEqual(new Map());
    expect(() => readUserRatings('users/u1', { ratings: { '1': { rating: 4 } } })).toThrow(
      'users/u1.ratings: must be Bytes',
    );
    expect(() =>
      readUserRatings('users/u1', { ratings: { toUint8Array: () => packed.subarray(1) } }),
    ).toThrow('users/u1.ratings: packed ratings: format 0, expected 1');
  });

  it('lets a newer local rating win until the stored one catches up', () => {
    const local = [
      { movieId: 1, rating: 2.5, ratedAt: '2026-11-23T10:05:00.000Z', eventId: uuid('c') },
      { movieId: 3, rating: 5, ratedAt: '2026-11-23T10:05:00.000Z', eventId: uuid('d') },
      { movieId: 2, rating: 3, ratedAt: '2026-11-23T09:00:00.000Z', eventId: uuid('e') },
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

function uuid(lastDigit: string): string {
  return `00000000-0000-4000-8000-00000000000${lastDigit}`;
}
