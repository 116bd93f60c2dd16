import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeRatingEvent, parseRateRequest, parseRatingEvent } from './rating-event.js';

const valid = {
  eventId: '3b1f8a52-5d43-4f3e-9a51-2f0c1d7e9b10',
  userId: 'ml-42',
  movieId: 318,
  rating: 4.5,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
};

describe('parseRatingEvent', () => {
  it('accepts a well-formed event and a withdrawal', () => {
    expect(parseRatingEvent(valid)).toEqual({ ok: true, value: valid });
    expect(parseRatingEvent({ ...valid, rating: null })).toEqual({
      ok: true,
      value: { ...valid, rating: null },
    });
  });

  it.each([
    [{ ...valid, rating: 4.3 }, 'rating: must be in steps of 0.5'],
    [{ ...valid, rating: 0 }, 'rating: must be at least 0.5'],
    [{ ...valid, rating: 5.5 }, 'rating: must be at most 5'],
    [{ ...valid, movieId: 1.5 }, 'movieId: must be an integer'],
    [{ ...valid, movieId: -3 }, 'movieId: must be positive'],
    [{ ...valid, eventId: 'abc' }, 'eventId: must be a UUID'],
    [{ ...valid, ratedAt: 'yesterday' }, 'ratedAt: must be an RFC 3339 timestamp'],
    [{ ...valid, userId: 'a/b' }, 'userId: may contain only letters, digits, "_" and "-"'],
    [{ ...valid, extra: 1 }, 'unknown field "extra"'],
    [{ ...valid, movieId: undefined }, 'movieId: is required'],
    [
      { ...valid, ratedAt: '0000-01-01T00:00:00Z' },
      'ratedAt: must be at or after 1970-01-01T00:00:00Z',
    ],
    [
      { ...valid, ratedAt: '1969-12-31T23:59:59.999Z' },
      'ratedAt: must be at or after 1970-01-01T00:00:00Z',
    ],
  ])('rejects %j with a precise reason', (input, reason) => {
    expect(parseRatingEvent(input)).toEqual({ ok: false, reason });
  });
});

describe('the ratedAt bounds', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts the epoch and up to five minutes ahead of the clock, and nothing beyond', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-06T12:00:00Z') });
    expect(parseRatingEvent({ ...valid, ratedAt: '1970-01-01T00:00:00Z' }).ok).toBe(true);
    expect(parseRatingEvent({ ...valid, ratedAt: '2026-12-06T12:05:00Z' }).ok).toBe(true);
    expect(parseRatingEvent({ ...valid, ratedAt: '2026-12-06T13:04:59+01:00' }).ok).toBe(true);
    expect(parseRatingEvent({ ...valid, ratedAt: '2026-12-06T12:05:00.001Z' })).toEqual({
      ok: false,
      reason: 'ratedAt: must not be more than five minutes in the future',
    });
    expect(parseRateRequest({ movieId: 1, rating: 3, ratedAt: '9999-12-31T23:59:59Z' })).toEqual({
      ok: false,
      reason: 'ratedAt: must not be more than five minutes in the future',
    });
  });
});

describe('decodeRatingEvent', () => {
  it('decodes message bytes', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(valid));
    expect(decodeRatingEvent(bytes)).toEqual({ ok: true, value: valid });
  });

  it('says when the message is not JSON', () => {
    const result = decodeRatingEvent('{not json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^message is not JSON: /);
  });
});

describe('parseRateRequest', () => {
  it('accepts a body without event id or time and refuses a user id', () => {
    expect(parseRateRequest({ movieId: 1, rating: 3 })).toEqual({
      ok: true,
      value: { movieId: 1, rating: 3 },
    });
    expect(parseRateRequest({ movieId: 1, rating: 3, userId: 'someone-else' })).toEqual({
      ok: false,
      reason: 'unknown field "userId"',
    });
  });
});
