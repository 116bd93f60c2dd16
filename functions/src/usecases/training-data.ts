import type { RatingsBatch } from '../adapters/bigquery.js';
import type { Ratings } from '../model/index.js';

/** Current ratings gathered for training: dense indices plus the ids they stand for. */
export interface TrainingData {
  ratings: Ratings & { timestamp: Float64Array };
  /** userIds[u] is the person of user index u (sorted). */
  userIds: string[];
  /** itemIds[i] is the movie of item index i (ascending movie ids). */
  itemIds: Int32Array;
  /** Time of the newest rating (RFC 3339), or undefined for no ratings. */
  trainedThrough: string | undefined;
}

/**
 * Gathers pages of current ratings (as the BigQuery adapter streams them) into one Ratings
 * over dense indices: users by sorted id, items by ascending movie id. Columns
 * grow by doubling, so 25M ratings cost typed arrays, not objects.
 */
export async function gatherRatings(
  batches: AsyncIterable<RatingsBatch>,
  onProgress: (rows: number) => void = () => {},
): Promise<TrainingData> {
  const userIndex = new Map<string, number>();
  const userIds: string[] = [];
  let capacity = 1024;
  let count = 0;
  let users = new Int32Array(capacity);
  let movies = new Int32Array(capacity);
  let values = new Float32Array(capacity);
  let micros = new Float64Array(capacity);
  let latest = Number.NEGATIVE_INFINITY;
  for await (const batch of batches) {
    while (count + batch.movieIds.length > capacity) {
      capacity *= 2;
      users = grow(users, capacity);
      movies = grow(movies, capacity);
      values = grow(values, capacity);
      micros = grow(micros, capacity);
    }
    for (let n = 0; n < batch.movieIds.length; n++) {
      const userId = batch.userIds[n]!;
      let user = userIndex.get(userId);
      if (user === undefined) {
        user = userIds.length;
        userIndex.set(userId, user);
        userIds.push(userId);
      }
      users[count] = user;
      movies[count] = batch.movieIds[n]!;
      values[count] = batch.ratings[n]!;
      micros[count] = batch.ratedAtMicros[n]!;
      if (micros[count]! > latest) latest = micros[count]!;
      count++;
    }
    onProgress(count);
  }
  // BigQuery returns rows in no set order: indices by sorted ids make training reproducible.
  const sortedUserIds = [...userIds].sort();
  const rank = new Map(sortedUserIds.map((userId, index) => [userId, index]));
  const userOf = Int32Array.from(userIds, (userId) => rank.get(userId)!);
  const itemIds = Int32Array.from(new Set(movies.subarray(0, count))).sort();
  const itemOf = new Map<number, number>();
  itemIds.forEach((movieId, item) => {
    itemOf.set(movieId, item);
  });
  const user = new Int32Array(count);
  const item = new Int32Array(count);
  const timestamp = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    user[n] = userOf[users[n]!]!;
    item[n] = itemOf.get(movies[n]!)!;
    timestamp[n] = micros[n]! / 1e6;
  }
  return {
    ratings: {
      userCount: userIds.length,
      itemCount: itemIds.length,
      user,
      item,
      value: values.slice(0, count),
      timestamp,
    },
    userIds: sortedUserIds,
    itemIds,
    trainedThrough: count > 0 ? new Date(latest / 1000).toISOString() : undefined,
  };
}

function grow<T extends Int32Array | Float32Array | Float64Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  return next;
}
