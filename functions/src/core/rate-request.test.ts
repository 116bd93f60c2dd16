import { describe, expect, it } from 'vitest';
import { corsHeaders, rateEventOf } from './rate-request.js';

const now = new Date('2026-11-23T10:00:00.000Z');
const newId = () => '3b1f8a52-5d43-4f3e-9a51-2f0c1d7e9b10';

describe('corsHeaders', () => {
  it('echoes an allowed origin and nothing for another', () => {
    const allowed = ['https://reel.example'];
    expect(corsHeaders('https://reel.example', allowed)).toEqual({
      'Access-Control-Allow-Origin': 'https://reel.example',
      Vary: 'Origin',
    });
    expect(corsHeaders('https://evil.example', allowed)).toEqual({ Vary: 'Origin' });
    expect(corsHeaders(undefined, allowed)).toEqual({ Vary: 'Origin' });
  });
});

describe('rateEventOf', () => {
  it('builds the event with the token’s uid, a new eventId and the server’s time', () => {
    expect(rateEventOf({ movieId: 318, rating: 4.5 }, 'uid-1', now, newId)).toEqual({
      ok: true,
      event: {
        eventId: newId(),
        userId: 'uid-1',
        movieId: 318,
        rating: 4.5,
        ratedAt: '2026-11-23T10:00:00.000Z',
        source: 'site',
      },
    });
  });

  it('keeps a client’s eventId (for retries) and ratedAt, and a withdrawal', () => {
    const eventId = 'c0a80121-7ac0-4e1c-8f2a-000000000001';
    const result = rateEventOf(
      { movieId: 1, rating: null, eventId, ratedAt: '2026-11-23T09:59:00Z' },
      'u',
      now,
      newId,
    );
    expect(result).toMatchObject({
      ok: true,
      event: { eventId, rating: null, ratedAt: '2026-11-23T09:59:00Z' },
    });
  });

  it.each([
    [null, 'body must be a JSON object'],
    ['{"movieId":1}', 'body must be a JSON object'],
    [[1], 'body must be a JSON object'],
    [{ movieId: 1, rating: 7 }, 'rating: must be at most 5'],
    [{ movieId: 1, rating: 3, userId: 'x' }, 'unknown field "userId"'],
    [{ rating: 3 }, 'movieId: is required'],
    [
      { movieId: 1, rating: 3, ratedAt: '2026-11-23T10:06:00Z' },
      'ratedAt: 2026-11-23T10:06:00Z is in the future',
    ],
  ])('refuses %j: %s', (body, reason) => {
    const result = rateEventOf(body, 'u', now, newId);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});
