import type { RatingEvent } from '../events/index.js';

/** What `users/{uid}.ratings["<movieId>"]` holds: the latest event for that movie. */
export interface RatingEntry {
  /** null = withdrawn; kept as a tombstone so an older event cannot bring the rating back. */
  rating: number | null;
  /** The event's RFC 3339 time, as sent (compared with microsecond precision). */
  ratedAt: string;
  eventId: string;
}

export type RatingsByMovie = Readonly<Record<string, RatingEntry>>;

/**
 * `applied`: the event is the newest for its movie. `duplicate`: this very event is already
 * there. `stale`: a newer event (by ratedAt, then eventId) is already there.
 */
export type RatingDecision = 'applied' | 'duplicate' | 'stale';

/**
 * RFC 3339 → microseconds since the epoch, the precision of BigQuery's TIMESTAMP, so the
 * Firestore decision and the BigQuery view (ORDER BY ratedAt DESC, eventId DESC) agree.
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

/** Whether `event` replaces `current`: last write wins by ratedAt, ties go to the larger eventId. */
export function decideRating(current: RatingEntry | undefined, event: RatingEvent): RatingDecision {
  if (current === undefined) return 'applied';
  if (current.eventId === event.eventId) return 'duplicate';
  const incoming = epochMicros(event.ratedAt);
  const existing = epochMicros(current.ratedAt);
  if (incoming !== existing) return incoming > existing ? 'applied' : 'stale';
  return event.eventId > current.eventId ? 'applied' : 'stale';
}

export function entryOf(event: RatingEvent): RatingEntry {
  return { rating: event.rating, ratedAt: event.ratedAt, eventId: event.eventId };
}

/** Ratings that count (tombstones excluded). */
export function countRatings(ratings: RatingsByMovie): number {
  let count = 0;
  for (const entry of Object.values(ratings)) {
    if (entry.rating !== null) count += 1;
  }
  return count;
}
