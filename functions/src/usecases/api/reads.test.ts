import { describe, expect, it } from 'vitest';
import { UserRatings } from '../../ratings/user-ratings.js';
import { inMemoryApiPorts } from '../../testing/api-ports.js';
import { movieDetails, myRatings, myRecommendations, popularMovies } from './reads.js';

const micros = (iso: string) => Date.parse(iso) * 1000;

describe('the API reads', () => {
  it("lists the person's current ratings newest first, withdrawn ones left out", async () => {
    const { ports, stored } = await inMemoryApiPorts();
    stored.set(
      'alice',
      UserRatings.of([
        { movieId: 3, rating: 4, ratedAtMicros: micros('2026-12-01T00:00:00Z'), eventTag: 1 },
        { movieId: 5, rating: null, ratedAtMicros: micros('2026-12-03T00:00:00Z'), eventTag: 2 },
        { movieId: 7, rating: 2.5, ratedAtMicros: micros('2026-12-02T00:00:00Z'), eventTag: 3 },
      ]),
    );
    expect(await myRatings(ports, 'alice')).toEqual({
      ratings: [
        { movieId: 7, rating: 2.5, ratedAt: '2026-12-02T00:00:00.000Z' },
        { movieId: 3, rating: 4, ratedAt: '2026-12-01T00:00:00.000Z' },
      ],
    });
  });

  it('narrows recommendations to a genre and a decade, and refuses a genre the catalogue lacks', async () => {
    const { ports } = await inMemoryApiPorts();
    const comedies = await myRecommendations(ports, 'nobody', {
      limit: 5,
      genre: 'Comedy',
      decade: 1990,
    });
    expect(comedies.items).toHaveLength(5);
    // The fixture's comedies are its odd movies, all of the 1990s.
    expect(comedies.items.every((item) => item.movieId % 2 === 1)).toBe(true);
    expect(comedies.modelVersion).toBe('v1');
    await expect(
      myRecommendations(ports, 'nobody', { limit: 5, genre: 'Western' }),
    ).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/^genre: "Western"/),
    });
  });

  it("describes a movie with its last retrain's stats, and answers not-found for one it lacks", async () => {
    const { ports } = await inMemoryApiPorts();
    expect(await movieDetails(ports, 1)).toMatchObject({
      movieId: 1,
      title: 'Movie 1',
      genres: ['Comedy'],
      meanRating: 4.2,
      ratingsCount: 12,
    });
    expect(await movieDetails(ports, 2)).toMatchObject({ meanRating: null, ratingsCount: 0 });
    await expect(movieDetails(ports, 999)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('answers unavailable before any model is published', async () => {
    const { ports } = await inMemoryApiPorts();
    const none = { ...ports, currentModel: async () => undefined };
    await expect(popularMovies(none, { limit: 3 })).rejects.toMatchObject({ kind: 'unavailable' });
    const popular = await popularMovies(ports, { limit: 3, genre: 'Drama' });
    expect(popular.items).toHaveLength(3);
    expect(popular.items.every((item) => item.movieId % 2 === 0)).toBe(true);
  });
});
