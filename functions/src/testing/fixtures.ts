import type { Bucket } from '@google-cloud/storage';
import { movePointer, readPointer, writeModelFiles } from '../adapters/storage.js';
import {
  encodeModelFiles,
  type ModelConfig,
  mulberry32,
  type Ratings,
  resolveModelConfig,
  trainModelSet,
} from '../model/index.js';
import { MOVIES_FILE } from '../model-store/bucket-layout.js';

/** A small, fast model configuration for tests. */
export const SMALL_MODEL_CONFIG: ModelConfig = resolveModelConfig({
  explicit: { factors: 4, iterations: 5 },
  ranking: { factors: 8, iterations: 5 },
});

/** One rating of the taste fixture: person, movie, stars, seconds since the epoch. */
export interface FixtureRating {
  user: number;
  movieId: number;
  rating: number;
  ratedAt: number;
}

/**
 * Ratings with a clear structure, so a trained model beats a scrambled one: `clusters` groups
 * of movies; each person loves (4.5–5) the movies of their own group and rates a few others
 * low. Movie ids are 1..movies; times rise with each person's ratings.
 */
export function tasteRatings(options: {
  users: number;
  movies: number;
  perUser: number;
  clusters?: number;
  seed?: number;
}): FixtureRating[] {
  const random = mulberry32(options.seed ?? 7);
  const clusters = options.clusters ?? 4;
  const out: FixtureRating[] = [];
  for (let user = 0; user < options.users; user++) {
    const own = user % clusters;
    const seen = new Set<number>();
    for (let n = 0; n < options.perUser; n++) {
      const liked = random() < 0.8;
      let movieId: number;
      do {
        movieId = 1 + Math.floor(random() * options.movies);
      } while (seen.has(movieId) || ((movieId - 1) % clusters === own) !== liked);
      seen.add(movieId);
      out.push({
        user,
        movieId,
        rating: liked ? (random() < 0.5 ? 4.5 : 5) : random() < 0.5 ? 1 : 2,
        ratedAt: 1_700_000_000 + user * 10_000 + n * 60,
      });
    }
  }
  return out;
}

/** Trains a model set on fixture ratings (movie ids are the model's items, ascending). */
export async function trainFixtureModel(
  ratings: readonly FixtureRating[],
  config: ModelConfig = SMALL_MODEL_CONFIG,
) {
  const itemIds = Int32Array.from(new Set(ratings.map((r) => r.movieId))).sort();
  const itemOf = new Map(Array.from(itemIds, (movieId, item) => [movieId, item]));
  const users = Math.max(...ratings.map((r) => r.user)) + 1;
  const data: Ratings = {
    userCount: users,
    itemCount: itemIds.length,
    user: Int32Array.from(ratings, (r) => r.user),
    item: Int32Array.from(ratings, (r) => itemOf.get(r.movieId)!),
    value: Float32Array.from(ratings, (r) => r.rating),
    timestamp: Float64Array.from(ratings, (r) => r.ratedAt),
  };
  return trainModelSet(data, itemIds, config, { random: mulberry32(1) });
}

/** Trains a model on fixture ratings and publishes it to `bucket` as the retrain would. */
export async function publishFixtureModel(
  bucket: Bucket,
  version: string,
  ratings: readonly FixtureRating[],
  catalogue: readonly number[],
  config: ModelConfig = SMALL_MODEL_CONFIG,
): Promise<void> {
  const set = await trainFixtureModel(ratings, config);
  const users = Math.max(...ratings.map((r) => r.user)) + 1;
  const files = encodeModelFiles(set, {
    version,
    createdAt: new Date().toISOString(),
    trainedThrough: new Date().toISOString(),
    training: { users, ratings: ratings.length },
    metrics: {},
  });
  files.set(MOVIES_FILE, new TextEncoder().encode(JSON.stringify({ movieIds: catalogue })));
  await writeModelFiles(bucket, version, files);
  const state = await readPointer(bucket);
  await movePointer(
    bucket,
    { version, publishedAt: new Date().toISOString() },
    state?.generation ?? '0',
  );
}
