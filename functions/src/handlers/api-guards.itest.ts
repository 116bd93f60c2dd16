import { randomUUID } from 'node:crypto';
import { testClients, testConfig } from '@reel/testing/clients';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Clients,
  createApiPorts,
  createModelSource,
  verifyIdToken,
  writeCatalogue,
} from '../adapters/index.js';
import { createApiApp } from '../api/app.js';
import { createLogger } from '../logging/logger.js';
import { createWriteGuards, SHARED_LIMIT_TIMEOUT_MS } from '../privacy.js';
import { parsePrivacyConfig } from '../privacy-config.js';
import { type OpenApiDocument, responseProblems } from '../testing/openapi.js';
import { type ServedFunction, serveFunction } from '../testing/serve.js';
import type { DeletionReport } from '../usecases/api/ports.js';
import { createApi } from './api.js';

/**
 * The api's write path as functions/src/index.ts wires it (createWriteGuards): App Check and
 * the per-address and per-person limits, over Firestore counters shared by two instances.
 */
const config = testConfig();
const env = inject('emulatorEnv');
const log = createLogger(() => {});
const PER_ADDRESS = 4;
const topicName = `itest-guards-ratings-${randomUUID()}`;
const bucketName = `itest-guards-models-${randomUUID()}`;
// Two function instances: each its own clients (connections, firebase-admin app), one Firestore.
const first = testClients(config);
const second = testClients(config);
const served: ServedFunction[] = [];
let document: OpenApiDocument;

/** App Check has no emulator: the verifier stands in for the Admin SDK's (see docs/privacy.md). */
const fakeVerifier = {
  verifyToken: async (token: string) => {
    if (token !== 'attested-app') {
      throw Object.assign(new Error('bad token'), { code: 'app-check/invalid-argument' });
    }
    return { appId: '1:123:web:abc', token: {} } as never;
  },
};

async function serve(
  clients: Clients,
  privacyEnv: Record<string, string>,
  { verifier, limitsOn = clients }: { verifier?: typeof fakeVerifier; limitsOn?: Clients } = {},
): Promise<ServedFunction> {
  const privacy = parsePrivacyConfig({ ...env, ...privacyEnv });
  const bucket = clients.storage.bucket(bucketName);
  const app = createApiApp({
    ports: {
      ...createApiPorts({
        firestore: clients.firestore,
        bucket,
        ratings: clients.pubsub.topic(topicName, { messageOrdering: true }),
        models: createModelSource(bucket, { recheckMs: 0, log }),
        recheckMs: 0,
      }),
      deleteMyData: async (): Promise<DeletionReport> => ({
        firestoreDocuments: 0,
        bigQuery: 'deleted',
      }),
      now: () => new Date(),
      newEventId: randomUUID,
    },
    verifyUser: (authorization) => verifyIdToken(clients.auth, authorization),
    ...createWriteGuards(limitsOn, config, privacy, log, verifier),
    allowedOrigins: [],
    log,
  });
  const server = await serveFunction({ http: createApi(app) });
  served.push(server);
  return server;
}

beforeAll(async () => {
  await first.pubsub.createTopic(topicName);
  await first.storage.bucket(bucketName).create();
  await writeCatalogue(
    first.storage.bucket(bucketName),
    [1, 2, 3],
    new Map([1, 2, 3].map((id) => [id, ['Drama']])),
    new Map([1, 2, 3].map((id) => [id, { title: `Movie ${id}`, year: 1990 }])),
  );
});

afterAll(async () => {
  for (const server of served) await server.close();
  await first.close();
  await second.close();
});

async function signUp(): Promise<string> {
  const response = await fetch(
    `http://${config.emulators.auth}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnSecureToken: true }),
    },
  );
  return ((await response.json()) as { idToken: string }).idToken;
}

interface Answer {
  status: number;
  headers: Headers;
  detail: string | undefined;
}

/** One write, its answer checked against the served OpenAPI document. */
async function write(
  on: ServedFunction,
  idToken: string,
  route: 'rate' | 'withdraw' | 'delete me',
  headers: Record<string, string> = {},
): Promise<Answer> {
  const [method, template, path, body] = {
    rate: ['POST', '/v1/ratings', '/v1/ratings', JSON.stringify({ movieId: 1, rating: 4 })],
    withdraw: ['DELETE', '/v1/ratings/{movieId}', '/v1/ratings/2', undefined],
    'delete me': ['DELETE', '/v1/me', '/v1/me', undefined],
  }[route];
  const response = await fetch(`${on.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${idToken}`,
      ...(body && { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body && { body }),
  });
  const text = await response.text();
  const parsed = text === '' ? undefined : JSON.parse(text);
  document ??= (await (await fetch(`${on.url}/v1/openapi.json`)).json()) as OpenApiDocument;
  expect(
    responseProblems(
      document,
      method!,
      template!,
      response.status,
      response.headers.get('content-type'),
      parsed,
    ),
    `${method} ${path} → ${response.status} ${text.slice(0, 300)}`,
  ).toEqual([]);
  return { status: response.status, headers: response.headers, detail: parsed?.detail };
}

describe('the per-address write limit across two instances (Firestore counters)', () => {
  it('refuses the writes of fresh accounts from one address past the limit, on either instance', async () => {
    const limit = {
      REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: String(PER_ADDRESS),
      REEL_TRUSTED_PROXIES: '1',
    };
    const a = await serve(first, limit);
    const b = await serve(second, limit);
    // An address of this test's own (as one proxy presents it), so writes from 127.0.0.1 by
    // other integration files in the same minute do not count against it.
    const address = {
      'x-forwarded-for': `198.18.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`,
    };
    const statuses: number[] = [];
    let refused: Answer | undefined;
    for (let n = 0; n < PER_ADDRESS + 2; n++) {
      const answer = await write(n % 2 === 0 ? a : b, await signUp(), 'rate', address);
      statuses.push(answer.status);
      if (answer.status === 429) refused ??= answer;
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
    expect(refused?.detail).toBe('too many writes from your address; try again in 15 s');
    expect(refused?.headers.get('retry-after')).toBe('15');
    // Every write counts, whichever route: a withdrawal and a deletion are refused as well.
    expect((await write(b, await signUp(), 'withdraw', address)).status).toBe(429);
    expect((await write(a, await signUp(), 'delete me', address)).status).toBe(429);
  });

  it('keys the limit on the address the trusted proxies present, not what the client adds', async () => {
    const behindHosting = {
      REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: String(PER_ADDRESS),
      REEL_TRUSTED_PROXIES: '2',
    };
    const a = await serve(first, behindHosting);
    const b = await serve(second, behindHosting);
    const client = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const statuses: number[] = [];
    for (let n = 0; n < PER_ADDRESS + 1; n++) {
      // A client that varies what it sends first still gets the address Hosting appended.
      const forwarded = `10.${n}.0.1, ${client}, 35.191.0.1`;
      const answer = await write(n % 2 === 0 ? a : b, await signUp(), 'rate', {
        'x-forwarded-for': forwarded,
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
    // Another client behind the same proxy has a budget of its own.
    const other = await write(a, await signUp(), 'rate', {
      'x-forwarded-for': `203.0.113.9, 35.191.0.1`,
    });
    expect(other.status).toBe(202);
  });
});

describe('the limits while Firestore does not answer', () => {
  it('keeps accepting writes, limited by the instance’s own limit, when the counters cannot be reached', async () => {
    // firebase-admin reads the emulator's address from process.env when the client is made:
    // these clients' Firestore is a closed port, as the store is during an outage.
    const closedPort = '127.0.0.1:1';
    const saved = process.env.FIRESTORE_EMULATOR_HOST;
    process.env.FIRESTORE_EMULATOR_HOST = closedPort;
    let unreachable: Clients;
    try {
      unreachable = testClients(testConfig({ FIRESTORE_EMULATOR_HOST: closedPort }));
    } finally {
      process.env.FIRESTORE_EMULATOR_HOST = saved;
    }
    const api = await serve(
      first,
      { REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3', REEL_TRUSTED_PROXIES: '1' },
      { limitsOn: unreachable },
    );
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++) {
      const started = performance.now();
      const answer = await write(api, await signUp(), 'rate', {
        'x-forwarded-for': '192.0.2.44',
      });
      statuses.push(answer.status);
      // The shared limit is waited for at most SHARED_LIMIT_TIMEOUT_MS, then the fallback answers.
      expect(performance.now() - started).toBeLessThan(SHARED_LIMIT_TIMEOUT_MS + 5_000);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    await unreachable.close();
  });
});

describe('App Check on the write path', () => {
  it('refuses a write without a token or with a malformed one (the Admin SDK’s own check) with 403', async () => {
    const enforced = await serve(first, { REEL_APP_CHECK_ENFORCED: 'true' });
    const idToken = await signUp();
    const missing = await write(enforced, idToken, 'rate');
    expect(missing.status).toBe(403);
    expect(missing.detail).toBe(
      'missing App Check token: send the x-firebase-appcheck header from an app registered with App Check',
    );
    // getAppCheck(app).verifyToken decodes before it fetches Google's keys: offline, a token
    // that is not a JWT is refused by the SDK itself.
    const malformed = await write(enforced, idToken, 'rate', {
      'x-firebase-appcheck': 'not-a-jwt',
    });
    expect(malformed.status).toBe(403);
    expect(malformed.detail).toMatch(/^App Check token rejected \(app-check\//);
  });

  it('lets a write with a token the verifier accepts through, and refuses others, on every write route', async () => {
    const enforced = await serve(
      second,
      { REEL_APP_CHECK_ENFORCED: 'true' },
      { verifier: fakeVerifier },
    );
    for (const route of ['rate', 'withdraw', 'delete me'] as const) {
      const idToken = await signUp();
      const forged = await write(enforced, idToken, route, { 'x-firebase-appcheck': 'forged' });
      expect(forged.status).toBe(403);
      expect(forged.detail).toBe('App Check token rejected (app-check/invalid-argument)');
      expect((await write(enforced, idToken, route)).status).toBe(403);
      const attested = await write(enforced, idToken, route, {
        'x-firebase-appcheck': 'attested-app',
      });
      expect(attested.status).toBe(route === 'delete me' ? 200 : 202);
    }
  });

  it('asks nothing of App Check when enforcement is off (locally)', async () => {
    const off = await serve(
      first,
      { REEL_APP_CHECK_ENFORCED: 'false' },
      { verifier: fakeVerifier },
    );
    expect((await write(off, await signUp(), 'rate')).status).toBe(202);
    expect(
      (await write(off, await signUp(), 'rate', { 'x-firebase-appcheck': 'forged' })).status,
    ).toBe(202);
  });
});
