import { randomUUID } from 'node:crypto';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { testClients, testConfig } from '@reel/testing/clients';
import { provisionBigQuery } from '@reel/testing/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURRENT_RATINGS_VIEW,
  createIngestPorts,
  createModelSource,
  createPublishers,
  type DatasetRef,
  EVENTS_TABLE,
  readUser,
  userRatingsFields,
} from '../adapters/index.js';
import type { RecommendationsDocument } from '../contracts/firestore-documents.js';
import { RATING_EVENT_SCHEMA, type RatingEvent } from '../contracts/rating-event.js';
import { createLogger } from '../logging/logger.js';
import { entryOf, eventTag, UserRatings } from '../ratings/index.js';
import { publishFixtureModel, tasteRatings } from '../testing/fixtures.js';
import { push, pushBody, type ServedFunction, serveFunction } from '../testing/serve.js';
import { until } from '../testing/until.js';
import type { IngestPorts } from '../usecases/ingest-rating.js';
import { createIngestRating } from './ingest-rating.js';

const config = testConfig();
const clients = testClients(config);
const { bigquery, bigqueryWrite, firestore, storage, pubsub } = clients;
const log = createLogger(() => {});
const VERSION = '2026-11-23T10-00-00Z-fixture1';
const CATALOGUE = Array.from({ length: 60 }, (_, n) => n + 1);

// A dataset and buckets of this file's own; dead letters read on a subscription of its own.
const ref: DatasetRef = {
  project: config.project,
  dataset: `itest_${randomUUID().replaceAll('-', '')}`,
};
const modelBucket = storage.bucket(`itest-models-${randomUUID()}`);
const emptyBucket = storage.bucket(`itest-empty-${randomUUID()}`);
let deadLetters: Subscription;
const letters: Message[] = [];
let served: ServedFunction;
let servedWithoutModel: ServedFunction;

function portsOn(bucket: typeof modelBucket): IngestPorts {
  return createIngestPorts({
    firestore,
    bigqueryWrite,
    dataset: ref,
    models: createModelSource(bucket, { recheckMs: 0, log }),
    deadLetterTopic: createPublishers(pubsub, config).deadLetter,
    log,
  });
}

function ingestOn(bucket: typeof modelBucket) {
  return createIngestRating({ ...portsOn(bucket), topN: 10, log });
}

beforeAll(async () => {
  await provisionBigQuery(bigquery, ref);
  await modelBucket.create();
  await emptyBucket.create();
  await publishFixtureModel(
    modelBucket,
    VERSION,
    tasteRatings({ users: 40, movies: 50, perUser: 12 }),
    CATALOGUE,
  );
  [deadLetters] = await pubsub
    .topic(config.deadLetterTopic)
    .createSubscription(`itest-dead-${randomUUID()}`);
  deadLetters.on('message', (message: Message) => {
    message.ack();
    letters.push(message);
  });
  served = await serveFunction({ cloudEvent: ingestOn(modelBucket) });
  servedWithoutModel = await serveFunction({ cloudEvent: ingestOn(emptyBucket) });
});

afterAll(async () => {
  await deadLetters.close();
  await served.close();
  await servedWithoutModel.close();
  await clients.close();
});

const rating = (userId: string, overrides: Partial<RatingEvent> = {}): RatingEvent => ({
  eventId: randomUUID(),
  userId,
  movieId: 1,
  rating: 5,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
  ...overrides,
});

const deliver = (url: string, event: RatingEvent | string) =>
  push(
    url,
    pushBody(event, {
      eventId: typeof event === 'string' ? 'none' : event.eventId,
      schema: RATING_EVENT_SCHEMA,
    }),
  );

async function eventRows(eventId: string): Promise<{ rows: number; events: number }> {
  const [rows] = await bigquery.query({
    query: `SELECT COUNT(*) AS rows, COUNT(DISTINCT eventId) AS events FROM \`${ref.project}.${ref.dataset}.${EVENTS_TABLE}\` WHERE eventId = @eventId`,
    params: { eventId },
  });
  return { rows: Number(rows[0].rows), events: Number(rows[0].events) };
}

async function recommendationsOf(uid: string) {
  const snapshot = await firestore.collection('recommendations').doc(uid).get();
  return snapshot.data() as (RecommendationsDocument & { updatedAt: unknown }) | undefined;
}

describe('ingestRating over HTTP (Pub/Sub push → functions-framework → emulators)', () => {
  it('appends the event once, stores the rating and writes personal recommendations', async () => {
    const uid = `ingest-${randomUUID()}`;
    const first = rating(uid, { movieId: 1, rating: 5 });
    const second = rating(uid, { movieId: 5, rating: 4.5, ratedAt: '2026-11-23T10:01:00Z' });
    expect((await deliver(served.url, first)).status).toBe(204);
    expect((await deliver(served.url, second)).status).toBe(204);

    expect(await eventRows(first.eventId)).toEqual({ rows: 1, events: 1 });
    const user = await readUser(firestore, uid);
    expect([...user!.ratings]).toEqual([entryOf(first), entryOf(second)]);
    expect(user).toMatchObject({ ratingsCount: 2, modelVersion: VERSION });
    expect(user?.factors).toHaveLength(8);
    const recommendations = await recommendationsOf(uid);
    expect(recommendations).toMatchObject({
      basis: 'personal',
      modelVersion: VERSION,
      ratingsCount: 2,
    });
    expect(recommendations?.items).toHaveLength(10);
    const ids = recommendations!.items.map((item) => item.movieId);
    expect(ids).not.toContain(1);
    expect(ids).not.toContain(5);
    // Movies 1 and 5 are both in taste group 0 (ids ≡ 1 mod 4): the list leans to that group.
    const sameGroup = ids.filter((id) => (id - 1) % 4 === 0).length;
    expect(sameGroup).toBeGreaterThanOrEqual(5);
    expect(
      recommendations!.items.every(
        (item) => item.because?.movieId === 1 || item.because?.movieId === 5,
      ),
    ).toBe(true);
  });

  it('changes nothing when the same event is delivered three times', async () => {
    const uid = `dup-${randomUUID()}`;
    const event = rating(uid, { movieId: 9, rating: 4 });
    for (let n = 0; n < 3; n++) expect((await deliver(served.url, event)).status).toBe(204);
    // bqemulator keeps a row per delivery (see the README); what counts is one distinct event.
    expect((await eventRows(event.eventId)).events).toBe(1);
    const user = await readUser(firestore, uid);
    expect([...user!.ratings]).toEqual([entryOf(event)]);
    expect(user?.ratingsCount).toBe(1);
    const snapshot = await firestore.collection('recommendations').doc(uid).get();
    const before = snapshot.updateTime?.toMillis();
    expect((await deliver(served.url, event)).status).toBe(204);
    const after = await firestore.collection('recommendations').doc(uid).get();
    expect(after.updateTime?.toMillis()).toBe(before);
  });

  it('keeps the newer rating when an older event arrives late, and a withdrawal as a tombstone', async () => {
    const uid = `order-${randomUUID()}`;
    const newer = rating(uid, { movieId: 13, rating: 2, ratedAt: '2026-11-23T10:05:00Z' });
    const older = rating(uid, { movieId: 13, rating: 5, ratedAt: '2026-11-23T10:00:00Z' });
    await deliver(served.url, newer);
    await deliver(served.url, older);
    expect((await readUser(firestore, uid))?.ratings.get(13)).toEqual(entryOf(newer));
    expect(entryOf(newer)).toMatchObject({ rating: 2, eventTag: eventTag(newer.eventId) });
    const withdrawn = rating(uid, { movieId: 13, rating: null, ratedAt: '2026-11-23T10:06:00Z' });
    await deliver(served.url, withdrawn);
    await deliver(served.url, older);
    const user = await readUser(firestore, uid);
    expect(user?.ratings.get(13)?.rating).toBeNull();
    expect(user?.ratingsCount).toBe(0);
    expect((await recommendationsOf(uid))?.basis).toBe('popular');
  });

  it.each([
    ['not JSON', '{"movieId": 1,', /^message is not JSON: /],
    ['a rating out of range', { rating: 6 }, /^rating: must be at most 5$/],
    [
      'a movie not in the catalogue',
      { movieId: 999_999 },
      /^movieId: 999999 is not in the catalogue$/,
    ],
  ])('acks %s and dead-letters it with the reason', async (_what, change, reason) => {
    const uid = `bad-${randomUUID()}`;
    const base = rating(uid);
    const data = typeof change === 'string' ? change : { ...base, ...change };
    const response = await push(
      served.url,
      pushBody(data, { eventId: base.eventId, schema: RATING_EVENT_SCHEMA }),
    );
    expect(response.status).toBe(204);
    const letter = await until(() => letters.find((m) => m.attributes.eventId === base.eventId));
    expect(letter.attributes.deadLetterReason).toMatch(reason);
    expect(letter.attributes.sourceTopic).toBe(
      '//pubsub.googleapis.com/projects/demo-reel/topics/ratings',
    );
    expect(letter.data.toString()).toBe(typeof data === 'string' ? data : JSON.stringify(data));
    expect(await readUser(firestore, uid)).toBeUndefined();
  });

  it('takes a binary-mode CloudEvent as Eventarc sends it', async () => {
    const uid = `binary-${randomUUID()}`;
    const event = rating(uid, { movieId: 2 });
    const response = await fetch(served.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
        'ce-source': '//pubsub.googleapis.com/projects/demo-reel/topics/ratings',
        'ce-id': randomUUID(),
      },
      body: JSON.stringify({
        message: { data: Buffer.from(JSON.stringify(event)).toString('base64'), messageId: '1' },
        subscription: 'projects/demo-reel/subscriptions/eventarc',
      }),
    });
    expect(response.status).toBe(204);
    expect((await readUser(firestore, uid))?.ratings.get(2)?.eventTag).toBe(
      eventTag(event.eventId),
    );
  });

  it('stores the rating and leaves recommendations alone while no model is published', async () => {
    const uid = `nomodel-${randomUUID()}`;
    const event = rating(uid, { movieId: 424_242 });
    expect((await deliver(servedWithoutModel.url, event)).status).toBe(204);
    expect((await readUser(firestore, uid))?.ratings.get(424_242)?.rating).toBe(5);
    expect(await recommendationsOf(uid)).toBeUndefined();
    expect(await eventRows(event.eventId)).toEqual({ rows: 1, events: 1 });
  });

  it('answers 500 on a transient failure, so Pub/Sub delivers again', async () => {
    const failing = await serveFunction({
      cloudEvent: createIngestRating({
        ...portsOn(modelBucket),
        applyRating: () => Promise.reject(new Error('Firestore unavailable')),
        appendEvent: () => Promise.reject(new Error('must not append before Firestore')),
        deadLetter: () => Promise.reject(new Error('must not dead-letter')),
        topN: 10,
        log,
      }),
    });
    try {
      const uid = `transient-${randomUUID()}`;
      const event = rating(uid);
      const response = await deliver(failing.url, event);
      expect(response.status).toBe(500);
      expect(await readUser(firestore, uid)).toBeUndefined();
      expect(await eventRows(event.eventId)).toEqual({ rows: 0, events: 0 });
    } finally {
      await failing.close();
    }
  });
});

/** The current_ratings view and users/{uid} side by side: movieId → rating, withdrawn left out. */
async function bothStores(uid: string) {
  const [rows] = await bigquery.query({
    query: `SELECT movieId, rating FROM \`${ref.project}.${ref.dataset}.${CURRENT_RATINGS_VIEW}\` WHERE userId = @uid ORDER BY movieId`,
    params: { uid },
  });
  const user = await readUser(firestore, uid);
  return {
    bigquery: (rows as { movieId: number; rating: number }[]).map((row) => [
      Number(row.movieId),
      Number(row.rating),
    ]),
    firestore: Array.from(user?.ratings ?? [], (entry) => [entry.movieId, entry.rating]).filter(
      ([, value]) => value !== null,
    ),
  };
}

describe('one outcome per event (real stores, a failing one in front)', () => {
  /** The real ports, with `firestore` and `bigquery` failing their first calls. */
  async function serveFailing(failures: { firestore: number; bigquery: number }) {
    const ports = portsOn(modelBucket);
    const left = { ...failures };
    return serveFunction({
      cloudEvent: createIngestRating({
        ...ports,
        applyRating: (event, derive) =>
          left.firestore-- > 0
            ? Promise.reject(new Error('Firestore unavailable'))
            : ports.applyRating(event, derive),
        appendEvent: (event) =>
          left.bigquery-- > 0
            ? Promise.reject(new Error('BigQuery unavailable'))
            : ports.appendEvent(event),
        topN: 10,
        log,
      }),
    });
  }

  it.each([
    ['Firestore fails twice', { firestore: 2, bigquery: 0 }, [500, 500, 204]],
    ['BigQuery fails twice', { firestore: 0, bigquery: 2 }, [500, 500, 204]],
    ['Firestore, then BigQuery fail', { firestore: 1, bigquery: 2 }, [500, 500, 500, 204]],
  ])(
    '%s: redeliveries end with the event once in both stores',
    async (_what, failures, statuses) => {
      const failing = await serveFailing(failures);
      try {
        const uid = `fault-${randomUUID()}`;
        const event = rating(uid, { movieId: 7, rating: 5 });
        const answers = [];
        for (const _ of statuses) answers.push((await deliver(failing.url, event)).status);
        expect(answers).toEqual(statuses);
        expect((await eventRows(event.eventId)).events).toBe(1);
        expect((await readUser(firestore, uid))?.ratings.get(7)).toEqual(entryOf(event));
        expect(await bothStores(uid)).toEqual({ bigquery: [[7, 5]], firestore: [[7, 5]] });
        expect((await recommendationsOf(uid))?.basis).toBe('personal');
      } finally {
        await failing.close();
      }
    },
  );

  it('keeps both stores in step when keys are re-used: the nil UUID by two users and for two ratings', async () => {
    const NIL = '00000000-0000-0000-0000-000000000000';
    const alice = `nil-a-${randomUUID()}`;
    const bob = `nil-b-${randomUUID()}`;
    const at = '2026-11-23T12:00:00Z';
    const events = [
      rating(alice, { eventId: NIL, movieId: 3, rating: 2, ratedAt: at }),
      rating(bob, { eventId: NIL, movieId: 3, rating: 2, ratedAt: at }),
      rating(alice, { eventId: NIL, movieId: 3, rating: 4, ratedAt: at }),
      rating(alice, { eventId: NIL, movieId: 4, rating: 5, ratedAt: at }),
      rating(alice, { eventId: NIL, movieId: 3, rating: 1, ratedAt: '2026-11-23T11:00:00Z' }),
    ];
    for (const event of events) expect((await deliver(served.url, event)).status).toBe(204);
    expect(await bothStores(alice)).toEqual({
      bigquery: [
        [3, 4],
        [4, 5],
      ],
      firestore: [
        [3, 4],
        [4, 5],
      ],
    });
    expect(await bothStores(bob)).toEqual({ bigquery: [[3, 2]], firestore: [[3, 2]] });
  });

  it('keeps a tie in ratedAt in step: the larger last 8 hex digits of eventId win in both', async () => {
    const uid = `tie-${randomUUID()}`;
    const at = '2026-11-23T12:00:00.123456Z';
    const high = rating(uid, {
      eventId: 'ffffffff-0000-4000-8000-0000000000a1',
      rating: 1,
      ratedAt: at,
    });
    const low = rating(uid, {
      eventId: '00000000-0000-4000-8000-0000000000a0',
      rating: 5,
      ratedAt: at,
    });
    await deliver(served.url, high);
    await deliver(served.url, low);
    expect(await bothStores(uid)).toEqual({ bigquery: [[1, 1]], firestore: [[1, 1]] });
  });
});

describe('a person with 50,000 ratings', () => {
  it('rates, gets personal recommendations, and withdraws like anyone else', async () => {
    const uid = `heavy-${randomUUID()}`;
    // 20 of the model's movies, and 49,980 it does not know (ids from 1,000,000).
    const history = Array.from({ length: 50_000 }, (_, n) => ({
      movieId: n < 20 ? n + 1 : 1_000_000 + n,
      rating: ((n % 10) + 1) / 2,
      ratedAtMicros: Date.parse('2020-01-01T00:00:00Z') * 1000 + n * 1_000_000,
      eventTag: n,
    }));
    await firestore
      .collection('users')
      .doc(uid)
      .set(userRatingsFields(UserRatings.of(history)));

    const added = rating(uid, { movieId: 21, rating: 5, ratedAt: '2026-11-23T10:00:00Z' });
    expect((await deliver(served.url, added)).status).toBe(204);
    const user = await readUser(firestore, uid);
    expect(user?.ratings.size).toBe(50_001);
    expect(user?.ratingsCount).toBe(50_001);
    expect(user?.ratings.get(21)).toEqual(entryOf(added));
    expect(user?.modelVersion).toBe(VERSION);
    const recommendations = await recommendationsOf(uid);
    expect(recommendations).toMatchObject({ basis: 'personal', ratingsCount: 50_001 });
    const ids = recommendations!.items.map((item) => item.movieId);
    expect(ids).toHaveLength(10);
    expect(ids.every((id) => id > 21)).toBe(true);

    const withdrawn = rating(uid, { movieId: 5, rating: null, ratedAt: '2026-11-23T10:01:00Z' });
    expect((await deliver(served.url, withdrawn)).status).toBe(204);
    const after = await readUser(firestore, uid);
    expect(after?.ratings.get(5)?.rating).toBeNull();
    expect(after?.ratingsCount).toBe(50_000);
    expect((await recommendationsOf(uid))?.ratingsCount).toBe(50_000);
    expect(await eventRows(withdrawn.eventId)).toEqual({ rows: 1, events: 1 });
  });
});
