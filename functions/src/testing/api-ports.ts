import type { RatingEvent } from '../contracts/rating-event.js';
import { Recommender } from '../model/index.js';
import { UserRatings } from '../ratings/user-ratings.js';
import type {
  ApiPorts,
  Catalogue,
  CatalogueMovie,
  DeletionReport,
  Stats,
} from '../usecases/api/ports.js';
import { type FixtureRating, tasteRatings, trainFixtureModel } from './fixtures.js';

/** The fixture's 40 movies: odd ones are comedies of the 1990s, even ones dramas of the 2000s. */
export function fixtureCatalogue(movies = 40): Catalogue {
  const entries: [number, CatalogueMovie][] = [];
  for (let movieId = 1; movieId <= movies; movieId++) {
    const comedy = movieId % 2 === 1;
    entries.push([
      movieId,
      {
        movieId,
        title: `Movie ${movieId}`,
        year: comedy ? 1990 + (movieId % 10) : 2000 + (movieId % 10),
        genres: comedy ? ['Comedy'] : ['Drama'],
      },
    ]);
  }
  return { movies: new Map(entries) };
}

export const FIXTURE_STATS: Stats = {
  model: {
    version: 'v1',
    publishedAt: '2026-12-01T00:00:00.000Z',
    createdAt: '2026-12-01T00:00:00.000Z',
    trainedThrough: '2026-11-30T23:00:00.000Z',
    training: { users: 30, ratings: 300 },
    metrics: { ndcg10: 0.12 },
  },
  counts: { users: 30, movies: 40, ratings: 300 },
  lastRetrain: {
    outcome: 'published',
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:01:00.000Z',
  },
};

/**
 * In-memory ports for the API's unit tests: a model trained on the taste fixture, the fixture
 * catalogue, ratings in a map, published events in an array.
 */
export async function inMemoryApiPorts(options: { ratings?: FixtureRating[] } = {}) {
  const ratings = options.ratings ?? tasteRatings({ users: 30, movies: 40, perUser: 10 });
  const set = await trainFixtureModel(ratings);
  const catalogue = fixtureCatalogue();
  const model = {
    version: 'v1',
    recommender: new Recommender(set),
    movies: new Set(catalogue.movies.keys()),
  };
  const published: RatingEvent[] = [];
  const stored = new Map<string, UserRatings>();
  const deleted: string[] = [];
  const ports: ApiPorts = {
    currentModel: async () => model,
    knownMovies: async () => model.movies,
    catalogue: async () => catalogue,
    publish: async (event) => {
      published.push(event);
    },
    readRatings: async (uid) => stored.get(uid) ?? UserRatings.empty,
    readMovieStats: async (movieId) =>
      movieId === 1 ? { meanRating: 4.2, ratingsCount: 12, modelVersion: 'v1' } : undefined,
    readStats: async () => FIXTURE_STATS,
    deleteMyData: async (uid): Promise<DeletionReport> => {
      deleted.push(uid);
      return { firestoreDocuments: 2, bigQuery: 'scheduled' };
    },
    now: () => new Date('2026-12-06T12:00:00.000Z'),
    newEventId: () => '3b1f8a52-5d43-4f3e-9a51-2f0c1d7e9b10',
  };
  return { ports, published, stored, deleted, model };
}
