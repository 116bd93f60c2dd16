import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { applyRating, decideRating, entryOf, epochMicros } from './last-write-wins.js';
import { MAX_RATINGS_PER_USER, UserRatings } from './user-ratings.js';

const event = (overrides: Partial<RatingEvent>): RatingEvent => ({
  eventId: '00000000-0000-4000-8000-000000000002',
  userId: 'u1',
  movieId: 1,
  rating: 4,
  ratedAt: '2026-01-01T10:00:00Z',
  source: 'site',
  ...overrides,
});

describe('epochMicros', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0],
    ['1970-01-01T00:00:01.5Z', 1_500_000],
    ['1970-01-01T00:00:00.000001Z', 1],
    ['1970-01-01T00:00:00.0000019Z', 1],
    ['1970-01-01T01:00:00+01:00', 0],
    ['2026-11-23T10:00:00.123456-02:30', Date.parse('2026-11-23T12:30:00Z') * 1000 + 123_456],
  ])('%s → %d µs', (text, micros) => {
    expect(epochMicros(text)).toBe(micros);
  });

  it('rejects what is not RFC 3339', () => {
    expect(() => epochMicros('2026-01-01 10:00')).toThrow('not an RFC 3339 timestamp');
  });
});

describe('decideRating', () => {
  const current = entryOf(event({}));
  const decide = (overrides: Partial<RatingEvent>) =>
    decideRating(current, entryOf(event(overrides)));

  it('applies the first rating of a movie', () => {
    expect(decideRating(undefined, entryOf(event({})))).toBe('applied');
  });

  it('reports the same event again as a duplicate', () => {
    expect(decide({})).toBe('duplicate');
    expect(decide({ ratedAt: '2026-01-01T10:00:00.000000Z', source: 'import' })).toBe('duplicate');
  });

  it('applies a newer event and ignores an older one', () => {
    const newer = {
      eventId: '00000000-0000-4000-8000-000000000001',
      ratedAt: '2026-01-01T10:00:00.000001Z',
    };
    const older = {
      eventId: '00000000-0000-4000-8000-000000000003',
      ratedAt: '2026-01-01T09:59:59.999999Z',
    };
    expect(decide(newer)).toBe('applied');
    expect(decide(older)).toBe('stale');
  });

  it('compares instants, not strings, across time zones', () => {
    expect(
      decide({
        eventId: '00000000-0000-4000-8000-000000000003',
        ratedAt: '2026-01-01T11:00:00.000001+01:00',
      }),
    ).toBe('applied');
  });

  it('breaks a tie in ratedAt by the eventId’s last 8 hex digits, as the BigQuery view does', () => {
    expect(decide({ eventId: '00000000-0000-4000-8000-000000000003' })).toBe('applied');
    expect(decide({ eventId: 'ffffffff-ffff-4fff-bfff-ffff00000001' })).toBe('stale');
    expect(decide({ eventId: '00000000-0000-4000-8000-0000ABCDEF01' })).toBe('applied');
  });

  it('breaks a tie in ratedAt and eventId (a re-used key) by the larger rating', () => {
    expect(decide({ rating: 4.5 })).toBe('applied');
    expect(decide({ rating: 1 })).toBe('stale');
    expect(decide({ rating: null })).toBe('stale');
  });

  it('keeps a withdrawal as a tombstone that an older rating cannot override', () => {
    const withdrawn = entryOf(event({ rating: null, ratedAt: '2026-01-02T00:00:00Z' }));
    expect(withdrawn.rating).toBeNull();
    expect(
      decideRating(
        withdrawn,
        entryOf(event({ eventId: '00000000-0000-4000-8000-000000000009', rating: 5 })),
      ),
    ).toBe('stale');
  });
});

describe('applyRating', () => {
  it('adds, replaces and leaves alone, returning the ratings after the event', () => {
    const first = applyRating(UserRatings.empty, event({ movieId: 7 }));
    expect(first.decision).toBe('applied');
    expect([...first.ratings]).toEqual([entryOf(event({ movieId: 7 }))]);
    const again = applyRating(first.ratings, event({ movieId: 7 }));
    expect(again).toEqual({ decision: 'duplicate', ratings: first.ratings });
    const withdrawn = event({ movieId: 7, rating: null, ratedAt: '2026-01-01T11:00:00Z' });
    const replaced = applyRating(first.ratings, withdrawn);
    expect(replaced.decision).toBe('applied');
    expect(replaced.ratings.get(7)?.rating).toBeNull();
    expect(replaced.ratings.count).toBe(0);
    expect(first.ratings.get(7)?.rating).toBe(4);
  });

  it('refuses a new movie beyond the per-person limit, but replaces an existing one', () => {
    const full = UserRatings.of(
      Array.from({ length: MAX_RATINGS_PER_USER }, (_, n) => ({
        movieId: n + 1,
        rating: 3,
        ratedAtMicros: 0,
        eventTag: 0,
      })),
    );
    expect(applyRating(full, event({ movieId: MAX_RATINGS_PER_USER + 1 })).decision).toBe('full');
    const replaced = applyRating(full, event({ movieId: 5, rating: 1 }));
    expect(replaced.decision).toBe('applied');
    expect(replaced.ratings.size).toBe(MAX_RATINGS_PER_USER);
  });
});
