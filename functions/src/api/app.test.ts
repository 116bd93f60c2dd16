import { describe, expect, it } from 'vitest';
import { AppCheckError } from '../adapters/app-check.js';
import { AuthenticationError } from '../adapters/auth.js';
import { createLogger } from '../logging/logger.js';
import { UserRatings } from '../ratings/user-ratings.js';
import { inMemoryApiPorts } from '../testing/api-ports.js';
import type { ApiPorts } from '../usecases/api/ports.js';
import { type ApiDeps, createApiApp } from './app.js';

const EVENT_ID = '3b1f8a52-5d43-4f3e-9a51-2f0c1d7e9b10';
const SITE = 'https://reel.example';

async function setup(overrides: Partial<ApiDeps> = {}, portOverrides: Partial<ApiPorts> = {}) {
  const memory = await inMemoryApiPorts();
  let allowed = true;
  let addressAllowed = true;
  /** The keys each limiter was asked for, and the App Check tokens seen. */
  const drawn = { users: [] as string[], addresses: [] as string[], appCheck: [] as unknown[] };
  const app = createApiApp({
    ports: { ...memory.ports, ...portOverrides },
    verifyUser: async (authorization) => {
      if (authorization === undefined) {
        throw new AuthenticationError('missing', 'missing Authorization header');
      }
      if (authorization !== 'Bearer good')
        throw new AuthenticationError('invalid', 'ID token rejected');
      return 'uid-1';
    },
    limiter: {
      tryAcquire: async (uid) => {
        drawn.users.push(uid);
        return allowed;
      },
    },
    retryAfterSeconds: 2,
    addressLimiter: {
      tryAcquire: async (address) => {
        drawn.addresses.push(address);
        return addressAllowed;
      },
    },
    addressRetryAfterSeconds: 1,
    trustedProxies: 2,
    verifyAppCheck: async (token) => {
      drawn.appCheck.push(token);
    },
    allowedOrigins: [SITE],
    log: createLogger(() => {}),
    ...overrides,
  });
  return {
    app,
    ...memory,
    drawn,
    refuseWrites: () => (allowed = false),
    refuseAddress: () => (addressAllowed = false),
  };
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { authorization: 'Bearer good', 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

async function problem(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { type: string; title: string; status: number; detail: string };
}

describe('POST /v1/ratings', () => {
  it('publishes the event with the token’s uid and the server’s time, and answers 202 with its id', async () => {
    const { app, published } = await setup();
    const response = await app.request(
      '/v1/ratings',
      post({ movieId: 1, rating: 4 }, { origin: SITE }),
    );
    expect(response.status).toBe(202);
    expect(response.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(await response.json()).toEqual({ eventId: EVENT_ID, status: 'accepted' });
    expect(published).toEqual([
      {
        eventId: EVENT_ID,
        userId: 'uid-1',
        movieId: 1,
        rating: 4,
        ratedAt: '2026-12-06T12:00:00.000Z',
        source: 'site',
      },
    ]);
  });

  it('keeps a client’s eventId (for retries) and ratedAt, and answers under /api/v1 too', async () => {
    const { app, published } = await setup();
    const eventId = 'c0a80121-7ac0-4e1c-8f2a-000000000001';
    const response = await app.request(
      '/api/v1/ratings',
      post({ movieId: 2, rating: 0.5, eventId, ratedAt: '2026-12-06T11:59:00Z' }),
    );
    expect(response.status).toBe(202);
    expect(published[0]).toMatchObject({ eventId, rating: 0.5, ratedAt: '2026-12-06T11:59:00Z' });
  });

  it.each([
    [{ movieId: 'x', rating: 3 }, 'movieId: must be a number'],
    [{ movieId: 1, rating: 4.3 }, 'rating: must be in steps of 0.5'],
    [{ movieId: 1, rating: 7 }, 'rating: must be at most 5'],
    [{ rating: 3 }, 'movieId: is required'],
    [{ movieId: 1, rating: 3, userId: 'someone-else' }, 'unknown field "userId"'],
    [{ movieId: 99999999, rating: 3 }, 'movieId: 99999999 is not in the catalogue'],
    [
      { movieId: 1, rating: 3, ratedAt: '0000-01-01T00:00:00Z' },
      'ratedAt: must be at or after 1970-01-01T00:00:00Z',
    ],
    [
      { movieId: 1, rating: 3, ratedAt: '2999-01-01T00:00:00Z' },
      'ratedAt: must not be more than five minutes in the future',
    ],
    ['[1]', 'body must be a JSON object such as {"movieId":318,"rating":4.5}'],
    ['null', 'body must be a JSON object such as {"movieId":318,"rating":4.5}'],
    ['', 'body is empty: send a JSON object such as {"movieId":318,"rating":4.5}'],
  ])('refuses %j with 400: %s', async (body, detail) => {
    const { app, published } = await setup();
    const response = await app.request('/v1/ratings', post(body));
    expect(response.status).toBe(400);
    expect(await problem(response)).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail,
    });
    expect(published).toEqual([]);
  });

  it('refuses a body that is not JSON with a JSON 400 naming the parse error, no stack', async () => {
    const { app } = await setup();
    const response = await app.request('/v1/ratings', post('{"movieId": 1, rating'));
    expect(response.status).toBe(400);
    const { detail } = await problem(response);
    expect(detail).toMatch(/^body is not JSON: /);
    expect(detail).not.toMatch(/\n|\.ts|\.js|node_modules/);
  });

  it('refuses a body not sent as JSON with 415', async () => {
    const { app } = await setup();
    const response = await app.request(
      '/v1/ratings',
      post('movieId=1&rating=3', { 'content-type': 'application/x-www-form-urlencoded' }),
    );
    expect(response.status).toBe(415);
    expect((await problem(response)).detail).toBe(
      'body is sent as "application/x-www-form-urlencoded": send JSON with Content-Type: application/json',
    );
  });

  it('checks size, then identity, then the limit, before the body', async () => {
    const { app, published, refuseWrites } = await setup();
    const big = await app.request(
      '/v1/ratings',
      post('x'.repeat(5000), { authorization: 'Bearer bad' }),
    );
    expect(big.status).toBe(413);
    expect((await problem(big)).detail).toBe('body is 5000 bytes; a rating is at most 4096');
    const none = await app.request('/v1/ratings', post({}, { authorization: '' }));
    expect(none.status).toBe(401);
    const forged = await app.request('/v1/ratings', post({}, { authorization: 'Bearer bad' }));
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe('Bearer');
    expect((await problem(forged)).detail).toBe('ID token rejected');
    refuseWrites();
    const limited = await app.request('/v1/ratings', post('not json'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await problem(limited)).detail).toBe('too many writes; try again in 2 s');
    expect(published).toEqual([]);
  });

  it('answers 503 with Retry-After when publishing fails, so the client retries the same eventId', async () => {
    const { app } = await setup({}, { publish: () => Promise.reject(new Error('unavailable')) });
    const response = await app.request('/v1/ratings', post({ movieId: 1, rating: 3 }));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await problem(response)).detail).toBe(
      'the rating could not be queued; retry with the same eventId',
    );
  });

  it('lets other errors of the identity check surface as a 500 problem (not a 401) without details', async () => {
    const { app } = await setup({ verifyUser: () => Promise.reject(new Error('bug at /x.ts:1')) });
    const response = await app.request('/v1/ratings', post({ movieId: 1, rating: 3 }));
    expect(response.status).toBe(500);
    expect((await problem(response)).detail).toBe(
      'Reel had an internal error; it is logged. Retry later.',
    );
  });

  it('answers a CORS preflight for allowed origins only, and 405 with Allow for other methods', async () => {
    const { app } = await setup();
    const preflight = await app.request('/v1/ratings', {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, If-None-Match, X-Firebase-AppCheck',
    );
    const foreign = await app.request('/v1/ratings', {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const get = await app.request('/v1/ratings');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    await problem(get);
  });
});

describe('the write path’s guards (App Check, the per-address and per-person limits)', () => {
  const writes = [
    ['/v1/ratings', post({ movieId: 1, rating: 3 })],
    ['/v1/ratings/3', { method: 'DELETE', headers: { authorization: 'Bearer good' } }],
    ['/v1/me', { method: 'DELETE', headers: { authorization: 'Bearer good' } }],
  ] as const;

  it('draws one token per write from the person’s and the address’s limits', async () => {
    const { app, drawn } = await setup();
    for (const [path, init] of writes) {
      const response = await app.request(path, {
        ...init,
        headers: {
          ...init.headers,
          'x-forwarded-for': '6.6.6.6, 203.0.113.7, 35.191.0.1',
          'x-firebase-appcheck': 'token',
        },
      });
      expect(response.status).toBeLessThan(300);
    }
    // Two proxies in front: the client is the second entry from the right, whatever it sent.
    expect(drawn.addresses).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7']);
    expect(drawn.users).toEqual(['uid-1', 'uid-1', 'uid-1']);
    expect(drawn.appCheck).toEqual(['token', 'token', 'token']);
    await app.request('/v1/me/ratings', { headers: { authorization: 'Bearer good' } });
    expect(drawn.users).toHaveLength(3);
    expect(drawn.appCheck).toHaveLength(3);
  });

  it('answers 429 with the address’s Retry-After past the per-address limit', async () => {
    const { app, published, refuseAddress } = await setup();
    refuseAddress();
    for (const [path, init] of writes) {
      const response = await app.request(path, init);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('1');
      expect((await problem(response)).detail).toBe(
        'too many writes from your address; try again in 1 s',
      );
    }
    expect(published).toEqual([]);
  });

  it('answers 403 when App Check refuses, before drawing on any limit', async () => {
    const { app, drawn, published, deleted } = await setup({
      verifyAppCheck: async (token) => {
        if (token !== 'valid') throw new AppCheckError(`App Check refused ${token ?? 'nothing'}`);
      },
    });
    for (const [path, init] of writes) {
      const missing = await app.request(path, init);
      expect(missing.status).toBe(403);
      expect((await problem(missing)).detail).toBe('App Check refused nothing');
      const invalid = await app.request(path, {
        ...init,
        headers: { ...init.headers, 'X-Firebase-AppCheck': 'forged' },
      });
      expect(invalid.status).toBe(403);
      expect((await problem(invalid)).detail).toBe('App Check refused forged');
    }
    expect(drawn.users).toEqual([]);
    expect(published).toEqual([]);
    expect(deleted).toEqual([]);
    const valid = await app.request(
      '/v1/ratings',
      post({ movieId: 1, rating: 3 }, { 'x-firebase-appcheck': 'valid' }),
    );
    expect(valid.status).toBe(202);
  });
});

describe('DELETE /v1/ratings/{movieId}', () => {
  it('publishes a withdrawal (rating null) and refuses an unknown movie', async () => {
    const { app, published } = await setup();
    const response = await app.request('/v1/ratings/3', {
      method: 'DELETE',
      headers: { authorization: 'Bearer good' },
    });
    expect(response.status).toBe(202);
    expect(published).toMatchObject([{ movieId: 3, rating: null, userId: 'uid-1' }]);
    const unknown = await app.request('/v1/ratings/99999999', {
      method: 'DELETE',
      headers: { authorization: 'Bearer good' },
    });
    expect(unknown.status).toBe(400);
    const bad = await app.request('/v1/ratings/abc', {
      method: 'DELETE',
      headers: { authorization: 'Bearer good' },
    });
    expect(bad.status).toBe(400);
    expect((await problem(bad)).detail).toBe('movieId: must be a positive integer');
  });
});

describe('DELETE /v1/me', () => {
  it('reports what the deletion did, and a 501 problem when the build has no deletion', async () => {
    const { app, deleted } = await setup();
    const response = await app.request('/v1/me', {
      method: 'DELETE',
      headers: { authorization: 'Bearer good' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ firestoreDocuments: 2, bigQuery: 'scheduled' });
    expect(deleted).toEqual(['uid-1']);
    const { Refusal } = await import('../usecases/api/errors.js');
    const { app: without } = await setup(
      {},
      {
        deleteMyData: () =>
          Promise.reject(new Refusal('not-implemented', 'deletion is not available in this build')),
      },
    );
    const refused = await without.request('/v1/me', {
      method: 'DELETE',
      headers: { authorization: 'Bearer good' },
    });
    expect(refused.status).toBe(501);
    expect((await problem(refused)).detail).toBe('deletion is not available in this build');
  });
});

/** Two ratings and a withdrawal, as `users/{uid}` stores them. */
const THREE_RATINGS = UserRatings.of([
  {
    movieId: 1,
    rating: 5,
    ratedAtMicros: Date.parse('2026-12-06T11:00:00Z') * 1000,
    eventTag: 1,
  },
  {
    movieId: 3,
    rating: 4.5,
    ratedAtMicros: Date.parse('2026-12-06T11:01:00Z') * 1000,
    eventTag: 2,
  },
  {
    movieId: 5,
    rating: null,
    ratedAtMicros: Date.parse('2026-12-06T11:02:00Z') * 1000,
    eventTag: 3,
  },
]);

describe('the reads', () => {
  const me = { headers: { authorization: 'Bearer good' } };

  it('recommends for the person, filtered by genre and decade, and refuses an unknown genre', async () => {
    const { app, stored } = await setup();
    stored.set('uid-1', THREE_RATINGS);
    const all = await app.request('/v1/me/recommendations?limit=5', me);
    expect(all.status).toBe(200);
    expect(all.headers.get('cache-control')).toBe('private, no-store');
    const body = (await all.json()) as {
      basis: string;
      ratingsCount: number;
      items: { movieId: number }[];
    };
    expect(body).toMatchObject({ basis: 'personal', ratingsCount: 2, modelVersion: 'v1' });
    expect(body.items).toHaveLength(5);
    expect(body.items.map((item) => item.movieId)).not.toContain(1);
    const dramas = (await (
      await app.request('/v1/me/recommendations?genre=Drama&decade=2000&limit=50', me)
    ).json()) as { items: { movieId: number }[] };
    expect(dramas.items.length).toBeGreaterThan(0);
    expect(dramas.items.every((item) => item.movieId % 2 === 0)).toBe(true);
    const unknown = await app.request('/v1/me/recommendations?genre=Opera', me);
    expect(unknown.status).toBe(400);
    expect((await problem(unknown)).detail).toBe(
      'genre: "Opera" is not a genre of the catalogue; use one of Comedy, Drama',
    );
    const badDecade = await app.request('/v1/me/recommendations?decade=1995', me);
    expect((await problem(badDecade)).detail).toBe('decade: must be a year ending in 0, e.g. 1990');
    expect((await app.request('/v1/me/recommendations')).status).toBe(401);
  });

  it('lists the person’s ratings newest first, withdrawn ones left out', async () => {
    const { app, stored } = await setup();
    stored.set('uid-1', THREE_RATINGS);
    const response = await app.request('/v1/me/ratings', me);
    expect(await response.json()).toEqual({
      ratings: [
        { movieId: 3, rating: 4.5, ratedAt: '2026-12-06T11:01:00.000Z' },
        { movieId: 1, rating: 5, ratedAt: '2026-12-06T11:00:00.000Z' },
      ],
    });
  });

  it('describes a movie with an ETag, answers 304 to If-None-Match, and 404 for an unknown one', async () => {
    const { app } = await setup();
    const response = await app.request('/v1/movies/1');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      movieId: 1,
      title: 'Movie 1',
      year: 1991,
      genres: ['Comedy'],
      meanRating: 4.2,
      ratingsCount: 12,
      modelVersion: 'v1',
    });
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"/);
    const again = await app.request('/v1/movies/1', { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    const missing = await app.request('/v1/movies/999');
    expect(missing.status).toBe(404);
    expect((await problem(missing)).detail).toBe('movie 999 is not in the catalogue');
  });

  it('lists similar movies, popular ones (filtered), and predicts the person’s stars', async () => {
    const { app } = await setup();
    const similar = (await (await app.request('/v1/movies/1/similar?limit=3')).json()) as {
      items: { movieId: number; score: number }[];
    };
    expect(similar.items).toHaveLength(3);
    expect(similar.items.map((item) => item.movieId)).not.toContain(1);
    const popular = (await (await app.request('/v1/popular?genre=Comedy&limit=4')).json()) as {
      items: { movieId: number }[];
    };
    expect(popular.items).toHaveLength(4);
    expect(popular.items.every((item) => item.movieId % 2 === 1)).toBe(true);
    const predicted = await app.request('/v1/movies/2/prediction', me);
    expect(predicted.status).toBe(200);
    const body = (await predicted.json()) as { predictedRating: number; rating: null };
    expect(body.predictedRating).toBeGreaterThanOrEqual(0.5);
    expect(body.predictedRating).toBeLessThanOrEqual(5);
    expect(body.rating).toBeNull();
    expect((await app.request('/v1/movies/2/prediction')).status).toBe(401);
  });

  it('answers 503 while no model is published', async () => {
    const { app } = await setup({}, { currentModel: async () => undefined });
    const response = await app.request('/v1/popular');
    expect(response.status).toBe(503);
    expect((await problem(response)).detail).toBe(
      'no model is published yet: run a retrain (npm run retrain)',
    );
  });

  it('serves the statistics and the OpenAPI 3.1 document, and a 404 problem elsewhere', async () => {
    const { app } = await setup();
    const stats = await app.request('/v1/stats');
    expect(((await stats.json()) as { counts: unknown }).counts).toEqual({
      users: 30,
      movies: 40,
      ratings: 300,
    });
    const document = (await (await app.request('/v1/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/v1/me',
      '/v1/me/ratings',
      '/v1/me/recommendations',
      '/v1/movies/{movieId}',
      '/v1/movies/{movieId}/prediction',
      '/v1/movies/{movieId}/similar',
      '/v1/openapi.json',
      '/v1/popular',
      '/v1/ratings',
      '/v1/ratings/{movieId}',
      '/v1/stats',
    ]);
    const missing = await app.request('/v1/nothing');
    expect(missing.status).toBe(404);
    await problem(missing);
  });
});
