import type { RatingEvent } from '../contracts/rating-event.js';
import {
  eventTag,
  MAX_RATINGS_PER_USER,
  type StoredRating,
  type UserRatings,
} from './user-ratings.js';

/**
 * `applied`: the event is the newest for its movie. `duplicate`: an event with the same
 * content (ratedAt, tag, rating) is already there, this very event delivered again or an
 * identical one. `stale`: a newer event is already there. `full`: the event would add an
 * entry to a person who already holds MAX_RATINGS_PER_USER; neither store takes it.
 */
export type RatingDecision = 'applied' | 'duplicate' | 'stale' | 'full';

/**
 * RFC 3339 → microseconds since the epoch, the precision of BigQuery's TIMESTAMP, so the
 * Firestore decision and the BigQuery view agree (see decideRating).
 * Digits beyond microseconds are dropped, as BigQuery drops them.
 */
export function epochMicros(rfc3339: string): number {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(rfc3339);
  if (!match) throw new Error(`not an RFC 3339 timestamp: "${rfc3339}"`);
  const [, secondsPart, fraction = '', zone] = match;
  const seconds = Date.parse(`${secondsPart}${zone}`);
  if (Number.isNaN(seconds)) throw new Error(`not an RFC 3339 timestamp: "${rfc3339}"`);
  return seconds * 1000 + Number(fraction.slice(0, 6).padEnd(6, '0'));
}

/**
 * Whether `incoming` replaces `current`: last write wins by ratedAt, then by the larger event
 * tag, then by the larger rating (a withdrawal is the smallest), which is the BigQuery view's
 * order (current_ratings.sql), so the two stores always keep the same event.
 */
export function decideRating(
  current: StoredRating | undefined,
  incoming: StoredRating,
): Exclude<RatingDecision, 'full'> {
  if (current === undefined) return 'applied';
  const order =
    compare(incoming.ratedAtMicros, current.ratedAtMicros) ||
    compare(incoming.eventTag, current.eventTag) ||
    compare(incoming.rating ?? 0, current.rating ?? 0);
  if (order === 0) return 'duplicate';
  return order > 0 ? 'applied' : 'stale';
}

const compare = (a: number, b: number) => (a === b ? 0 : a > b ? 1 : -1);

export function entryOf(event: RatingEvent): StoredRating {
  return {
    movieId: event.movieId,
    rating: event.rating,
    ratedAtMicros: epochMicros(event.ratedAt),
    eventTag: eventTag(event.eventId),
  };
}

export interface Applied {
  decision: RatingDecision;
  /** The person's ratings after the event (the same object unless `applied`). */
  ratings: UserRatings;
}

/** Applies one event to a person's ratings by the rule above, within the per-person limit. */
export function applyRating(ratings: UserRatings, event: RatingEvent): Applied {
  const entry = entryOf(event);
  const current = ratings.get(entry.movieId);
  const decision = decideRating(current, entry);
  if (decision !== 'applied') return { decision, ratings };
  if (current === undefined && ratings.size >= MAX_RATINGS_PER_USER) {
    return { decision: 'full', ratings };
  }
  return { decision, ratings: ratings.with(entry) };
}
