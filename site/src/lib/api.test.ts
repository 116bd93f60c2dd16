import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_CHECK_HEADER, callerHeaders, type RatingRequest, sendRating } from './api.js';

const request: RatingRequest = {
  eventId: '4f7c1f7e-8f4e-4a5e-9d59-2a1f2a0c1b11',
  movieId: 2571,
  rating: 4.5,
  ratedAt: '2026-11-23T10:00:00.000Z',
};

function answering(status: number, body = '', headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(status === 204 ? null : body, { status, headers });
  }) as unknown as typeof fetch;
  return { calls, fetchFn };
}

describe('callerHeaders', () => {
  it('names the header the api function reads the App Check token from', () => {
    const adapter = readFileSync(
      new URL('../../../functions/src/adapters/app-check.ts', import.meta.url),
      'utf8',
    );
    expect(adapter).toContain(`APP_CHECK_HEADER = '${APP_CHECK_HEADER.toLowerCase()}'`);
  });

  it('carries the ID token, and the App Check token only when there is one', () => {
    expect(callerHeaders('id', null)).toEqual({ Authorization: 'Bearer id' });
    expect(callerHeaders('id', 'ac')).toEqual({
      Authorization: 'Bearer id',
      'X-Firebase-AppCheck': 'ac',
    });
  });
});

describe('sendRating', () => {
  it('POSTs the event with the bearer token and accepts 202', async () => {
    const { calls, fetchFn } = answering(202, JSON.stringify({ eventId: request.eventId }));
    expect(await sendRating(fetchFn, '/api/v1/ratings', 'token-1', request)).toEqual({
      kind: 'accepted',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('/api/v1/ratings');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers).toEqual({
      Authorization: 'Bearer token-1',
      'Content-Type': 'application/json',
    });
    expect(JSON.parse(calls[0].init.body as string)).toEqual(request);
  });

  it('adds the App Check token when there is one', async () => {
    const { calls, fetchFn } = answering(202);
    await sendRating(fetchFn, '/api/v1/ratings', 'token-1', request, 'app-check-token');
    expect(calls[0].init.headers).toEqual({
      Authorization: 'Bearer token-1',
      'X-Firebase-AppCheck': 'app-check-token',
      'Content-Type': 'application/json',
    });
  });

  it.each([
    [
      400,
      JSON.stringify({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'rating: must be in steps of 0.5',
      }),
      'rating: must be in steps of 0.5',
    ],
    [413, 'Payload Too Large', 'Payload Too Large'],
    [403, '', '403'],
  ])('shows the server message of a %i and does not retry', async (status, body, message) => {
    const { fetchFn } = answering(status, body);
    const outcome = await sendRating(fetchFn, '/api/v1/ratings', 't', request);
    expect(outcome.kind).toBe('rejected');
    expect(outcome.kind === 'rejected' && outcome.message).toContain(message);
  });

  it('asks for a fresh token on 401', async () => {
    const { fetchFn } = answering(401, JSON.stringify({ status: 401, detail: 'token expired' }));
    expect(await sendRating(fetchFn, '/api/v1/ratings', 't', request)).toEqual({
      kind: 'unauthorized',
      message: 'token expired',
    });
  });

  it('retries 429 after Retry-After, 5xx, and network failures', async () => {
    expect(
      await sendRating(answering(429, '', { 'Retry-After': '3' }).fetchFn, '/x', 't', request),
    ).toEqual({
      kind: 'retry',
      message: 'Too many ratings at once',
      retryAfterMs: 3000,
    });
    expect((await sendRating(answering(503).fetchFn, '/x', 't', request)).kind).toBe('retry');
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    expect(await sendRating(offline, '/x', 't', request)).toEqual({
      kind: 'retry',
      message: 'Reel is unreachable (Failed to fetch)',
    });
  });
});
