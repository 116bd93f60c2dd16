import { randomUUID } from 'node:crypto';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { testClients, testConfig } from '@reel/testing/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiPorts,
  createModelSource,
  firestoreServedDocuments,
  userRatingsFields,
  verifyIdToken,
  writeCatalogue,
} from '../adapters/index.js';
import { createApiApp } from '../api/app.js';
import { createLogger } from '../logging/logger.js';
import { RateLimiter } from '../rate-limits/rate-limiter.js';
import { UserRatings } from '../ratings/user-ratings.js';
import { publishFixtureModel, tasteRatings } from '../testing/fixtures.js';
import { type OpenApiDocument, responseProblems } from '../testing/openapi.js';
import { type ServedFunction, serveFunction } from '../testing/serve.js';
import { until } from '../testing/until.js';
import { Refusal } from '../usecases/api/errors.js';
import type { DeletionReport } from '../usecases/api/ports.js';
import { createApi } from './api.js';

const config = testConfig();
const { pubsub, auth, firestore, storage, close } = testClients(config);
const log = createLogger(() => {});
const SITE = 'http://127.0.0.1:4321';
const VERSION = '2026-12-06T10-00-00Z-apitest';
// Movies 1-60 exist; the model learnt 1-50 (so 51-60 have no prediction yet).
const CATALOGUE = Array.from({ length: 60 }, (_, n) => n + 1);
const topicName = `itest-api-ratings-${randomUUID()}`;
const modelBucket = storage.bucket(`itest-api-models-${randomUUID()}`);
const emptyBucket = storage.bucket(`itest-api-empty-${randomUUID()}`);
let subscription: Subscription;
const received: Message[] = [];
let served: ServedFunction;
let withoutModel: ServedFunction;
let document: OpenApiDocument;
let deletion: (uid: string) => Promise<DeletionReport>;

function serveApi(bucket: typeof modelBucket, publish?: () => Promise<void>) {
  const ratings = pubsub.topic(topicName, { messageOrdering: true });
  const ports = createApiPorts({
    firestore,
    bucket,
    ratings,
    models: createModelSource(bucket, { recheckMs: 0, log }),
    recheckMs: 0,
  });
  const app = createApiApp({
    ports: {
      ...ports,
      ...(publish && { publish }),
      deleteMyData: (uid) => deletion(uid),
      now: () => new Date(),
      newEventId: randomUUID,
    },
    verifyUser: (authorization) => verifyIdToken(auth, authorization),
    limiter: (() => {
      const limiter = new RateLimiter(3);
      return { tryAcquire: async (key: string) => limiter.take(key, Date.now()).allowed };
    })(),
    retryAfterSeconds: 20,
    // The write path's guards as wired are api-guards.itest.ts's subject; here they let all by.
    addressLimiter: { tryAcquire: async () => true },
    addressRetryAfterSeconds: 1,
    trustedProxies: 1,
    verifyAppCheck: async () => {},
    allowedOrigins: [SITE],
    log,
  });
  return serveFunction({ http: createApi(app) });
}

beforeAll(async () => {
  const [topic] = await pubsub.createTopic(topicName);
  [subscription] = await topic.createSubscription(`${topicName}-read`, {
    enableMessageOrdering: true,
  });
  subscription.on('message', (message: Message) => {
    message.ack();
    received.push(message);
  });
  await modelBucket.create();
  await emptyBucket.create();
  await writeCatalogue(
    modelBucket,
    CATALOGUE,
    new Map(CATALOGUE.map((id) => [id, id % 2 === 1 ? ['Comedy'] : ['Drama']])),
    new Map(CATALOGUE.map((id) => [id, { title: `Movie ${id}`, year: 1990 + (id % 20) }])),
  );
  await publishFixtureModel(
    modelBucket,
    VERSION,
    tasteRatings({ users: 40, movies: 50, perUser: 12 }),
    CATALOGUE,
  );
  await firestoreServedDocuments(firestore).writeMovies(
    [
      {
        movieId: 1,
        document: { similar: [], meanRating: 4.25, ratingsCount: 12, modelVersion: VERSION },
      },
    ],
    1,
  );
  served = await serveApi(modelBucket);
  withoutModel = await serveApi(emptyBucket, () => Promise.reject(new Error('Pub/Sub is down')));
  document = (await (await fetch(`${served.url}/v1/openapi.json`)).json()) as OpenApiDocument;
});

afterAll(async () => {
  await subscription.close();
  await served.close();
  await withoutModel.close();
  await close();
});

async function signUp(): Promise<{ idToken: string; localId: string }> {
  const response = await fetch(
    `http://${config.emulators.auth}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnSecureToken: true }),
    },
  );
  return (await response.json()) as { idToken: string; localId: string };
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * One request to the served function (`path` may carry a query), its response checked against
 * the OpenAPI document at `template` before the test looks at it.
 */
async function call(
  method: string,
  template: string,
  path: string,
  init: {
    body?: unknown;
    headers?: Record<string, string>;
    token?: string;
    on?: ServedFunction;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined && typeof init.body !== 'string') {
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${(init.on ?? served).url}${path}`, {
    method,
    headers,
    ...(init.body !== undefined && {
      body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    }),
  });
  const text = await response.text();
  const body = text === '' ? undefined : JSON.parse(text);
  expect(
    responseProblems(
      document,
      method,
      template,
      response.status,
      response.headers.get('content-type'),
      body,
    ),
    `${method} ${path} → ${response.status} ${text.slice(0, 300)}`,
  ).toEqual([]);
  return { status: response.status, headers: response.headers, body };
}

const detailOf = (answer: Answer) => (answer.body as { detail: string }).detail;

describe('the OpenAPI check', () => {
  it('fails a body that does not match the document (so the checks below can fail)', () => {
    expect(
      responseProblems(document, 'get', '/v1/movies/{movieId}', 200, 'application/json', {
        movieId: 'one',
      }),
    ).not.toEqual([]);
    expect(
      responseProblems(document, 'get', '/v1/movies/{movieId}', 418, 'application/json', {}),
    ).toEqual(['get /v1/movies/{movieId} does not document status 418']);
  });
});

describe('POST /v1/ratings over HTTP (functions-framework, Auth and Pub/Sub emulators)', () => {
  it('answers 202 with the eventId and publishes the event with the token’s uid as ordering key', async () => {
    const { idToken, localId } = await signUp();
    const answer = await call('POST', '/v1/ratings', '/api/v1/ratings', {
      body: { movieId: 1, rating: 4.5 },
      token: idToken,
      headers: { origin: SITE },
    });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('access-control-allow-origin')).toBe(SITE);
    const { eventId } = answer.body as { eventId: string };
    const message = await until(() => received.find((m) => m.attributes.eventId === eventId));
    expect(message.orderingKey).toBe(localId);
    expect(JSON.parse(message.data.toString())).toMatchObject({
      eventId,
      userId: localId,
      movieId: 1,
      rating: 4.5,
      source: 'site',
    });
  });

  it('answers 400 naming the field, an unknown movie, an unstorable ratedAt and a userId in the body', async () => {
    const refusals: [unknown, string][] = [
      [{ movieId: 1, rating: 4.3 }, 'rating: must be in steps of 0.5'],
      [{ movieId: 1, rating: 4, userId: 'someone-else' }, 'unknown field "userId"'],
      [{ movieId: 99999999, rating: 4 }, 'movieId: 99999999 is not in the catalogue'],
      [
        { movieId: 1, rating: 4, ratedAt: '0000-01-01T00:00:00Z' },
        'ratedAt: must be at or after 1970-01-01T00:00:00Z',
      ],
    ];
    for (const [body, detail] of refusals) {
      // Refused writes count against the person's limit too: one person each.
      const { idToken } = await signUp();
      const answer = await call('POST', '/v1/ratings', '/v1/ratings', { body, token: idToken });
      expect(answer.status).toBe(400);
      expect(detailOf(answer)).toBe(detail);
    }
  });

  it('answers a body that is not JSON with a JSON 400, no stack trace or file path', async () => {
    const { idToken } = await signUp();
    const answer = await call('POST', '/v1/ratings', '/v1/ratings', {
      body: '{"movieId": 1, rating',
      token: idToken,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(detailOf(answer)).toMatch(/^body is not JSON: /);
    expect(JSON.stringify(answer.body)).not.toMatch(/node_modules|\.js:|\.ts:|\\n\s+at /);
    const plain = await call('POST', '/v1/ratings', '/v1/ratings', {
      body: 'rating=4',
      token: idToken,
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
  });

  it('answers 401 without a token or with a forged one', async () => {
    const none = await call('POST', '/v1/ratings', '/v1/ratings', {
      body: { movieId: 1, rating: 3 },
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(detailOf(none)).toBe(
      'missing Authorization header: send "Authorization: Bearer <Firebase ID token>"',
    );
    const forged = await call('POST', '/v1/ratings', '/v1/ratings', {
      body: { movieId: 1, rating: 3 },
      token: 'forged.token.x',
    });
    expect(forged.status).toBe(401);
  });

  it('answers 413 for a body over 4 KiB', async () => {
    const { idToken } = await signUp();
    const answer = await call('POST', '/v1/ratings', '/v1/ratings', {
      body: { movieId: 1, rating: 3, padding: 'x'.repeat(5000) },
      token: idToken,
    });
    expect(answer.status).toBe(413);
  });

  it('answers 429 with Retry-After past the per-user limit, other users unaffected', async () => {
    const first = await signUp();
    const statuses = [];
    for (let n = 0; n < 4; n++) {
      const answer = await call('POST', '/v1/ratings', '/v1/ratings', {
        body: { movieId: 10 + n, rating: 3 },
        token: first.idToken,
      });
      statuses.push(answer.status);
      if (answer.status === 429) expect(answer.headers.get('retry-after')).toBe('20');
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    const second = await signUp();
    const other = await call('POST', '/v1/ratings', '/v1/ratings', {
      body: { movieId: 1, rating: 3 },
      token: second.idToken,
    });
    expect(other.status).toBe(202);
  });

  it('answers 503 with Retry-After when the rating cannot be queued', async () => {
    const { idToken } = await signUp();
    const answer = await call('POST', '/v1/ratings', '/v1/ratings', {
      body: { movieId: 1, rating: 3 },
      token: idToken,
      on: withoutModel,
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
  });

  it('answers a CORS preflight for the site and refuses other origins and methods', async () => {
    const preflight = await fetch(`${served.url}/api/v1/ratings`, {
      method: 'OPTIONS',
      headers: {
        origin: SITE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, If-None-Match, X-Firebase-AppCheck',
    );
    const foreign = await fetch(`${served.url}/api/v1/ratings`, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${served.url}/api/v1/ratings`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    expect(get.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('DELETE /v1/ratings/{movieId}', () => {
  it('publishes a withdrawal, and refuses a bad id and a missing token', async () => {
    const { idToken, localId } = await signUp();
    const answer = await call('DELETE', '/v1/ratings/{movieId}', '/v1/ratings/7', {
      token: idToken,
    });
    expect(answer.status).toBe(202);
    const { eventId } = answer.body as { eventId: string };
    const message = await until(() => received.find((m) => m.attributes.eventId === eventId));
    expect(JSON.parse(message.data.toString())).toMatchObject({
      userId: localId,
      movieId: 7,
      rating: null,
    });
    const bad = await call('DELETE', '/v1/ratings/{movieId}', '/v1/ratings/seven', {
      token: idToken,
    });
    expect(bad.status).toBe(400);
    expect(detailOf(bad)).toBe('movieId: must be a positive integer');
    const none = await call('DELETE', '/v1/ratings/{movieId}', '/v1/ratings/7');
    expect(none.status).toBe(401);
  });
});

describe('DELETE /v1/me', () => {
  it('reports the deletion, 501 when this build has none, 401 without a token', async () => {
    const { idToken, localId } = await signUp();
    const asked: string[] = [];
    deletion = async (uid) => {
      asked.push(uid);
      return { firestoreDocuments: 2, bigQuery: 'scheduled' };
    };
    const answer = await call('DELETE', '/v1/me', '/v1/me', { token: idToken });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ firestoreDocuments: 2, bigQuery: 'scheduled' });
    expect(asked).toEqual([localId]);
    deletion = () =>
      Promise.reject(new Refusal('not-implemented', 'deletion is not available in this build'));
    const refused = await call('DELETE', '/v1/me', '/v1/me', { token: idToken });
    expect(refused.status).toBe(501);
    expect((await call('DELETE', '/v1/me', '/v1/me')).status).toBe(401);
  });
});

describe('the reads against Firestore and the models bucket', () => {
  it('recommends for the person from their stored ratings, filtered, with each refusal', async () => {
    const { idToken, localId } = await signUp();
    await firestore
      .collection('users')
      .doc(localId)
      .set(
        userRatingsFields(
          UserRatings.of([
            {
              movieId: 1,
              rating: 5,
              ratedAtMicros: Date.parse('2026-12-06T10:00:00Z') * 1000,
              eventTag: 1,
            },
            {
              movieId: 5,
              rating: 4.5,
              ratedAtMicros: Date.parse('2026-12-06T10:01:00Z') * 1000,
              eventTag: 2,
            },
          ]),
        ),
      );
    const path = '/v1/me/recommendations';
    const all = await call('GET', path, `${path}?limit=5`, { token: idToken });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ basis: 'personal', modelVersion: VERSION, ratingsCount: 2 });
    const items = (all.body as { items: { movieId: number }[] }).items;
    expect(items).toHaveLength(5);
    expect(items.map((item) => item.movieId)).not.toContain(1);
    const dramas = await call('GET', path, `${path}?genre=Drama&limit=50`, { token: idToken });
    const dramaIds = (dramas.body as { items: { movieId: number }[] }).items.map((i) => i.movieId);
    expect(dramaIds.length).toBeGreaterThan(0);
    expect(dramaIds.every((id) => id % 2 === 0)).toBe(true);
    const opera = await call('GET', path, `${path}?genre=Opera`, { token: idToken });
    expect(opera.status).toBe(400);
    expect((await call('GET', path, path)).status).toBe(401);
    const noModel = await call('GET', path, path, { token: idToken, on: withoutModel });
    expect(noModel.status).toBe(503);

    const ratings = await call('GET', '/v1/me/ratings', '/v1/me/ratings', { token: idToken });
    expect(ratings.status).toBe(200);
    expect(
      (ratings.body as { ratings: { movieId: number }[] }).ratings.map((r) => r.movieId),
    ).toEqual([5, 1]);
    expect((await call('GET', '/v1/me/ratings', '/v1/me/ratings')).status).toBe(401);
  });

  it('describes a movie with ETag and Cache-Control, 304 when unchanged, 404 and 400', async () => {
    const path = '/v1/movies/{movieId}';
    const movie = await call('GET', path, '/v1/movies/1');
    expect(movie.status).toBe(200);
    expect(movie.body).toEqual({
      movieId: 1,
      title: 'Movie 1',
      year: 1991,
      genres: ['Comedy'],
      meanRating: 4.25,
      ratingsCount: 12,
      modelVersion: VERSION,
    });
    expect(movie.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = movie.headers.get('etag') as string;
    const again = await call('GET', path, '/v1/movies/1', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await call('GET', path, '/v1/movies/1000')).status).toBe(404);
    expect((await call('GET', path, '/v1/movies/0')).status).toBe(400);
  });

  it('lists similar movies and predicts the person’s stars, with each refusal', async () => {
    const similar = await call(
      'GET',
      '/v1/movies/{movieId}/similar',
      '/v1/movies/2/similar?limit=4',
    );
    expect(similar.status).toBe(200);
    expect((similar.body as { items: unknown[] }).items).toHaveLength(4);
    expect(
      (await call('GET', '/v1/movies/{movieId}/similar', '/v1/movies/1000/similar')).status,
    ).toBe(404);
    expect(
      (await call('GET', '/v1/movies/{movieId}/similar', '/v1/movies/2/similar?limit=0')).status,
    ).toBe(400);
    expect(
      (
        await call('GET', '/v1/movies/{movieId}/similar', '/v1/movies/2/similar', {
          on: withoutModel,
        })
      ).status,
    ).toBe(503);

    const { idToken } = await signUp();
    const path = '/v1/movies/{movieId}/prediction';
    const predicted = await call('GET', path, '/v1/movies/2/prediction', { token: idToken });
    expect(predicted.status).toBe(200);
    expect(predicted.body).toMatchObject({ movieId: 2, rating: null, modelVersion: VERSION });
    // Movie 55 is in the catalogue but the model has not learnt it.
    const unlearnt = await call('GET', path, '/v1/movies/55/prediction', { token: idToken });
    expect(unlearnt.status).toBe(404);
    expect((await call('GET', path, '/v1/movies/x/prediction', { token: idToken })).status).toBe(
      400,
    );
    expect((await call('GET', path, '/v1/movies/2/prediction')).status).toBe(401);
    expect(
      (await call('GET', path, '/v1/movies/2/prediction', { token: idToken, on: withoutModel }))
        .status,
    ).toBe(503);
  });

  it('lists popular movies, serves the statistics and the document itself', async () => {
    const popular = await call('GET', '/v1/popular', '/v1/popular?decade=1990&limit=3');
    expect(popular.status).toBe(200);
    expect((popular.body as { items: unknown[] }).items).toHaveLength(3);
    expect((await call('GET', '/v1/popular', '/v1/popular?limit=101')).status).toBe(400);
    expect((await call('GET', '/v1/popular', '/v1/popular', { on: withoutModel })).status).toBe(
      503,
    );

    const stats = await call('GET', '/v1/stats', '/v1/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      model: { version: VERSION, training: { users: 40, ratings: 480 } },
      counts: { movies: 60 },
    });
    expect((stats.body as { counts: { users: number } }).counts.users).toBeGreaterThan(0);

    const openapi = await call('GET', '/v1/openapi.json', '/v1/openapi.json');
    expect(openapi.status).toBe(200);
    expect((openapi.body as { openapi: string }).openapi).toBe('3.1.0');
    const unchanged = await call('GET', '/v1/openapi.json', '/v1/openapi.json', {
      headers: { 'if-none-match': openapi.headers.get('etag') as string },
    });
    expect(unchanged.status).toBe(304);
    const missing = await fetch(`${served.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });
});
