/**
 * A MovieLens rating as a rating event (source "import"), with an eventId derived from the
 * rating itself, so loading the same file twice produces the same events, and the loader can
 * tell which of them are already stored.
 */
import { createHash } from 'node:crypto';
import type { RatingEvent } from '@reel/functions/contracts/rating-event';
import {
  decideRating,
  entryOf,
  type StoredRating,
  type UserRatings,
} from '@reel/functions/ratings';

/** The UUID v5 namespace of imported MovieLens ratings (random, fixed forever). */
export const IMPORT_NAMESPACE = 'b24af8aa-21f0-4ef1-9a14-f0459bb3c987';

export const IMPORT_SOURCE = 'import';

/** MovieLens user ids become `ml-<id>`, apart from Firebase uids of the site's visitors. */
export const importedUserId = (movieLensUserId: number) => `ml-${movieLensUserId}`;

/** RFC 9562 UUID version 5 (SHA-1 of namespace + name). */
export function uuidV5(name: string, namespace: string = IMPORT_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One MovieLens rating: user and movie ids as in the file, timestamp in seconds. */
export interface MovieLensRating {
  userId: number;
  movieId: number;
  rating: number;
  timestamp: number;
}

export function importEvent(row: MovieLensRating): RatingEvent {
  return {
    eventId: uuidV5(`movielens:${row.userId}:${row.movieId}:${row.timestamp}`),
    userId: importedUserId(row.userId),
    movieId: row.movieId,
    rating: row.rating,
    ratedAt: new Date(row.timestamp * 1000).toISOString(),
    source: IMPORT_SOURCE,
  };
}

/**
 * The entries of `users/{uid}.ratings` that the imported events change, by movie, by the same
 * last-write-wins rule as the ingest function: a newer rating from the site, or the same
 * imported event, stays as it is.
 */
export function mergeImported(
  stored: UserRatings,
  events: readonly RatingEvent[],
): Map<number, StoredRating> {
  const changes = new Map<number, StoredRating>();
  for (const event of events) {
    const entry = entryOf(event);
    const current = changes.get(entry.movieId) ?? stored.get(entry.movieId);
    if (decideRating(current, entry) === 'applied') changes.set(entry.movieId, entry);
  }
  return changes;
}
