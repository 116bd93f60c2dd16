import { randomUUID } from 'node:crypto';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { testClients, testConfig } from '@reel/testing/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishRatingEvent, verifyIdToken } from '../adapters/index.js';
import { createLogger } from '../core/logger.js';
import { RateLimiter } from '../core/rate-limiter.js';
import { type ServedFunction, serveFunction } from '../testing/serve.js';
import { until } from '../testing/until.js';
import { createRateMovie } from './rate-movie.js';

const config = testConfig();
const { pubsub, auth, close } = testClients(config);
const SITE = 'http://127.0.0.1:4321';
// A topic of this file's own, so nothing else consumes what it publishes.
const topicName = `itest-ratings-${randomUUID()}`;
let subscription: Subscription;
let served: ServedFunction;
const received: Message[] = [];

beforeAll(async () => {
  const [topic] = await pubsub.createTopic(topicName);
  [subscription] = await topic.createSubscription(`${topicName}-read`, {
    enableMessageOrdering: true,
  });
  subscription.on('message', (message: Message) => {
    message.ack();
    received.push(message);
  });
  const ratings = pubsub.topic(topicName, { messageOrdering: true });
  served = await serveFunction({
    http: createRateMovie({
      allowedOrigins: [SITE],
      verifyUser: (authorization) => verifyIdToken(auth, authorization),
      publish: async (event) => {
        await publishRatingEvent(ratings, event);
      },
      limiter: new RateLimiter(3),
      log: createLogger(() => {}),
    }),
  });
});

afterAll(async () => {
  await subscription.close();
  await served.close();
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

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${served.url}/api/ratings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('rateMovie over HTTP (functions-framework, Auth and Pub/Sub emulators)', () => {
  it('answers 202 with the eventId and publishes the event with the token’s uid as ordering key', async () => {
    const { idToken, localId } = await signUp();
    const response = await post(
      { movieId: 318, rating: 4.5 },
      { authorization: `Bearer ${idToken}`, origin: SITE },
    );
    expect(response.status).toBe(202);
    expect(response.headers.get('access-control-allow-origin')).toBe(SITE);
    const { eventId } = (await response.json()) as { eventId: string };
    const message = await until(() => received.find((m) => m.attributes.eventId === eventId));
    expect(message.orderingKey).toBe(localId);
    expect(JSON.parse(message.data.toString())).toMatchObject({
      eventId,
      userId: localId,
      movieId: 318,
      rating: 4.5,
      source: 'site',
    });
  });

  it('answers 400 naming the field, and refuses a userId in the body', async () => {
    const { idToken } = await signUp();
    const bad = await post({ movieId: 318, rating: 4.3 }, { authorization: `Bearer ${idToken}` });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'rating: must be in steps of 0.5' });
    const spoof = await post(
      { movieId: 318, rating: 4, userId: 'someone-else' },
      { authorization: `Bearer ${idToken}` },
    );
    expect(spoof.status).toBe(400);
    expect(await spoof.json()).toEqual({ error: 'unknown field "userId"' });
  });

  it('answers 401 without a token or with a forged one', async () => {
    const none = await post({ movieId: 1, rating: 3 });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await none.json()) as { error: string }).toEqual({
      error: 'missing Authorization header: send "Authorization: Bearer <Firebase ID token>"',
    });
    const forged = await post(
      { movieId: 1, rating: 3 },
      { authorization: 'Bearer forged.token.x' },
    );
    expect(forged.status).toBe(401);
  });

  it('answers 413 for a body over 4 KiB', async () => {
    const { idToken } = await signUp();
    const response = await post(
      { movieId: 1, rating: 3, padding: 'x'.repeat(5000) },
      { authorization: `Bearer ${idToken}` },
    );
    expect(response.status).toBe(413);
  });

  it('answers 429 with Retry-After past the per-user limit, other users unaffected', async () => {
    const first = await signUp();
    const statuses = [];
    for (let n = 0; n < 4; n++) {
      const response = await post(
        { movieId: 10 + n, rating: 3 },
        { authorization: `Bearer ${first.idToken}` },
      );
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    const second = await signUp();
    expect(
      (await post({ movieId: 1, rating: 3 }, { authorization: `Bearer ${second.idToken}` })).status,
    ).toBe(202);
  });

  it('answers a CORS preflight for the site and refuses other origins and methods', async () => {
    const preflight = await fetch(`${served.url}/api/ratings`, {
      method: 'OPTIONS',
      headers: {
        origin: SITE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type',
    );
    const foreign = await fetch(`${served.url}/api/ratings`, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${served.url}/api/ratings`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
