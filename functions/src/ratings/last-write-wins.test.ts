import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../events/index.js';
import { countRatings, decideRating, entryOf, epochMicros } from './last-write-wins.js';

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

  it('applies the first rating of a movie', () => {
    expect(decideRating(undefined, event({}))).toBe('applied');
  });

  it('reports the same event again as a duplicate', () => {
    expect(decideRating(current, event({ rating: 1 }))).toBe('duplicate');
  });

  it('applies a newer event and ignores an older one', () => {
    const newer = event({
      eventId: '00000000-0000-4000-8000-000000000001',
      ratedAt: '2026-01-01T10:00:00.000001Z',
    });
    const older = event({
      eventId: '00000000-0000-4000-8000-000000000003',
      ratedAt: '2026-01-01T09:59:59.999999Z',
    });
    expect(decideRating(current, newer)).toBe('applied');
    expect(decideRating(current, older)).toBe('stale');
  });

  it('compares instants, not strings, across time zones', () => {
    const sameInstantLater = event({
      eventId: '00000000-0000-4000-8000-000000000003',
      ratedAt: '2026-01-01T11:00:00.000001+01:00',
    });
    expect(decideRating(current, sameInstantLater)).toBe('applied');
  });

  it('breaks a tie in ratedAt by the larger eventId, as the BigQuery view does', () => {
    expect(decideRating(current, event({ eventId: '00000000-0000-4000-8000-000000000003' }))).toBe(
      'applied',
    );
    expect(decideRating(current, event({ eventId: '00000000-0000-4000-8000-000000000001' }))).toBe(
      'stale',
    );
  });

  it('keeps a withdrawal as a tombstone that an older rating cannot override', () => {
    const withdrawn = entryOf(event({ rating: null, ratedAt: '2026-01-02T00:00:00Z' }));
    expect(withdrawn.rating).toBeNull();
    expect(
      decideRating(
        withdrawn,
        event({ eventId: '00000000-0000-4000-8000-000000000009', rating: 5 }),
      ),
    ).toBe('stale');
  });
});

describe('countRatings', () => {
  it('counts ratings and skips tombstones', () => {
    expect(
      countRatings({
        '1': entryOf(event({})),
        '2': entryOf(event({ movieId: 2, rating: null })),
        '3': entryOf(event({ movieId: 3, rating: 0.5 })),
      }),
    ).toBe(2);
  });
});
