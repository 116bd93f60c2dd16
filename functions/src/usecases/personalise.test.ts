import { describe, expect, it } from 'vitest';
import { mulberry32, type Ratings, Recommender, trainModelSet } from '../model/index.js';
import { UserRatings } from '../ratings/user-ratings.js';
import { SMALL_MODEL_CONFIG, tasteRatings } from '../testing/fixtures.js';
import { personalise, userRatingsOf } from './personalise.js';

async function recommender(): Promise<Recommender> {
  const fixture = tasteRatings({ users: 30, movies: 40, perUser: 10 });
  const itemIds = Int32Array.from(new Set(fixture.map((r) => r.movieId))).sort();
  const row = new Map(Array.from(itemIds, (id, n) => [id, n]));
  const ratings: Ratings = {
    userCount: 30,
    itemCount: itemIds.length,
    user: Int32Array.from(fixture, (r) => r.user),
    item: Int32Array.from(fixture, (r) => row.get(r.movieId)!),
    value: Float32Array.from(fixture, (r) => r.rating),
    timestamp: Float64Array.from(fixture, (r) => r.ratedAt),
  };
  return new Recommender(
    await trainModelSet(ratings, itemIds, SMALL_MODEL_CONFIG, { random: mulberry32(3) }),
  );
}

const entry = (movieId: number, rating: number | null) => ({
  movieId,
  rating,
  ratedAtMicros: Date.parse('2026-11-23T10:00:00.250Z') * 1000,
  eventTag: 0xe,
});

describe('userRatingsOf', () => {
  it('turns stored ratings into the model’s form, times in seconds, tombstones kept', () => {
    expect(userRatingsOf(UserRatings.of([entry(9, null), entry(7, 4)]))).toEqual([
      { movieId: 7, rating: 4, ratedAt: Date.parse('2026-11-23T10:00:00.250Z') / 1000 },
      { movieId: 9, rating: null, ratedAt: Date.parse('2026-11-23T10:00:00.250Z') / 1000 },
    ]);
  });
});

describe('personalise', () => {
  it('gives a personal list without the rated movies, with factors, bias and because', async () => {
    const model = await recommender();
    const result = personalise(
      model,
      'v1',
      UserRatings.of([entry(1, 5), entry(5, 4.5), entry(2, null)]),
      8,
    );
    expect(result.document).toMatchObject({
      basis: 'personal',
      modelVersion: 'v1',
      ratingsCount: 2,
    });
    expect(result.document.items).toHaveLength(8);
    const ids = result.document.items.map((item) => item.movieId);
    expect(ids).not.toContain(1);
    expect(ids).not.toContain(5);
    expect(result.factors).toHaveLength(SMALL_MODEL_CONFIG.ranking.factors);
    expect(Number.isFinite(result.bias)).toBe(true);
    expect(result.document.items.some((item) => item.because !== undefined)).toBe(true);
  });

  it('falls back to the popularity list when nothing is rated', async () => {
    const model = await recommender();
    const result = personalise(model, 'v1', UserRatings.of([entry(1, null)]), 5);
    expect(result.document.basis).toBe('popular');
    expect(result.document.ratingsCount).toBe(0);
    expect(result.document.items.every((item) => item.because === undefined)).toBe(true);
  });
});
