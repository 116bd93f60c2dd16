import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../adapters/auth.js';
import { createLogger } from '../core/logger.js';
import { RateLimiter } from '../core/rate-limiter.js';
import type { RatingEvent } from '../events/index.js';
import { answerRateRequest, type RateMovieDeps } from './rate-movie.js';

const EVENT_ID = '3b1f8a52-5d43-4f3e-9a51-2f0c1d7e9b10';

function setup(overrides: Partial<RateMovieDeps> = {}) {
  const published: RatingEvent[] = [];
  const answer = answerRateRequest({
    allowedOrigins: ['https://reel.example'],
    verifyUser: async (authorization) => {
      if (authorization !== 'Bearer good')
        throw new AuthenticationError('invalid', 'ID token rejected');
      return 'uid-1';
    },
    publish: async (event) => {
      published.push(event);
    },
    limiter: new RateLimiter(60),
    log: createLogger(() => {}),
    now: () => new Date('2026-11-23T10:00:00Z'),
    newEventId: () => EVENT_ID,
    ...overrides,
  });
  return { answer, published };
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { authorization: 'Bearer good', ...headers },
  body,
});

describe('answerRateRequest', () => {
  it('publishes the event and answers 202 with its id', async () => {
    const { answer, published } = setup();
    const result = await answer(
      post({ movieId: 318, rating: 4 }, { origin: 'https://reel.example' }),
    );
    expect(result).toEqual({
      status: 202,
      headers: { 'Access-Control-Allow-Origin': 'https://reel.example', Vary: 'Origin' },
      body: { eventId: EVENT_ID },
    });
    expect(published).toEqual([
      {
        eventId: EVENT_ID,
        userId: 'uid-1',
        movieId: 318,
        rating: 4,
        ratedAt: '2026-11-23T10:00:00.000Z',
        source: 'site',
      },
    ]);
  });

  it('checks method, size and identity before the body', async () => {
    const { answer, published } = setup();
    expect((await answer({ method: 'PUT', headers: {}, body: {} })).status).toBe(405);
    expect((await answer({ ...post({}), rawBody: Buffer.alloc(5000) })).status).toBe(413);
    expect((await answer(post({}, { authorization: 'Bearer bad' }))).status).toBe(401);
    expect((await answer(post({ movieId: 'x', rating: 3 }))).body).toEqual({
      error: 'movieId: must be a number',
    });
    expect(published).toEqual([]);
  });

  it('answers 503 with Retry-After when publishing fails, so the client retries the same eventId', async () => {
    const { answer } = setup({ publish: () => Promise.reject(new Error('unavailable')) });
    const result = await answer(post({ movieId: 1, rating: 3 }));
    expect(result.status).toBe(503);
    expect(result.headers['Retry-After']).toBe('1');
  });

  it('lets other errors of the identity check surface (a 500, not a 401)', async () => {
    const { answer } = setup({ verifyUser: () => Promise.reject(new Error('bug')) });
    await expect(answer(post({ movieId: 1, rating: 3 }))).rejects.toThrow('bug');
  });
});
