import { randomUUID } from 'node:crypto';
import { testClients } from '@reel/testing/clients';
import { afterAll, describe, expect, it } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { entryOf } from '../ratings/last-write-wins.js';
import { eventTag } from '../ratings/user-ratings.js';
import {
  applyRatingEvent,
  type BulkProgress,
  type BulkWrite,
  bulkWrite,
  readUser,
  writeMovie,
  writePopular,
  writeRecommendations,
} from './firestore.js';

const { firestore: db, close } = testClients();
afterAll(close);

const rating = (userId: string, overrides: Partial<RatingEvent>): RatingEvent => ({
  eventId: randomUUID(),
  userId,
  movieId: 318,
  rating: 4,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
  ...overrides,
});

describe('applyRatingEvent (last write wins, against the Firestore emulator)', () => {
  it('keeps the newest event whatever the delivery order; duplicates and older ones change nothing', async () => {
    const uid = `lww-${randomUUID()}`;
    const newest = rating(uid, { rating: 5, ratedAt: '2026-11-23T10:00:02Z' });
    const older = rating(uid, { rating: 1, ratedAt: '2026-11-23T10:00:01Z' });

    const decisions = [];
    for (const event of [newest, older, newest, newest]) {
      decisions.push((await applyRatingEvent(db, event)).decision);
    }
    expect(decisions).toEqual(['applied', 'stale', 'duplicate', 'duplicate']);

    const user = await readUser(db, uid);
    expect([...user!.ratings]).toEqual([entryOf(newest)]);
    expect(user?.ratings.get(318)).toEqual({
      movieId: 318,
      rating: 5,
      ratedAtMicros: Date.parse('2026-11-23T10:00:02Z') * 1000,
      eventTag: eventTag(newest.eventId),
    });
    expect(user?.ratingsCount).toBe(1);
    expect(user?.updatedAt.toMillis()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps a withdrawal as a tombstone that an older rating cannot override', async () => {
    const uid = `withdraw-${randomUUID()}`;
    await applyRatingEvent(db, rating(uid, { movieId: 1, rating: 3 }));
    await applyRatingEvent(
      db,
      rating(uid, { movieId: 2, rating: 4, ratedAt: '2026-11-23T10:00:00Z' }),
    );
    const withdrawal = rating(uid, { movieId: 2, rating: null, ratedAt: '2026-11-23T11:00:00Z' });
    expect((await applyRatingEvent(db, withdrawal)).decision).toBe('applied');
    const late = await applyRatingEvent(
      db,
      rating(uid, { movieId: 2, rating: 5, ratedAt: '2026-11-23T10:30:00Z' }),
    );
    expect(late.decision).toBe('stale');
    expect(late.ratings.get(2)).toEqual(entryOf(withdrawal));

    const user = await readUser(db, uid);
    expect(user?.ratings.get(2)?.rating).toBeNull();
    expect(user?.ratingsCount).toBe(1);
  });

  it('lands every one of many concurrent events for one user (transactions retry)', async () => {
    const uid = `concurrent-${randomUUID()}`;
    const events = Array.from({ length: 15 }, (_, n) =>
      rating(uid, { movieId: n + 1, rating: 0.5 + (n % 10) * 0.5 }),
    );
    const results = await Promise.all(events.map((event) => applyRatingEvent(db, event)));
    expect(results.map((result) => result.decision)).toEqual(events.map(() => 'applied'));
    const user = await readUser(db, uid);
    expect(user?.ratingsCount).toBe(15);
    expect(Array.from(user!.ratings, (entry) => entry.movieId)).toEqual(
      events.map((event) => event.movieId),
    );
  });
});

describe('document writers', () => {
  it('writes recommendations, the popular list and a movie with a server timestamp', async () => {
    const uid = `recs-${randomUUID()}`;
    await writeRecommendations(db, uid, {
      items: [
        { movieId: 1, score: 2.5, predictedRating: 4.5, because: { movieId: 318, rating: 5 } },
        { movieId: 2, score: 1.5, predictedRating: 4 },
      ],
      basis: 'personal',
      modelVersion: 'v1',
      ratingsCount: 3,
    });
    await writePopular(db, {
      items: [{ movieId: 318, score: 4.4, meanRating: 4.43, ratingsCount: 317 }],
      modelVersion: 'v1',
    });
    await writeMovie(db, 318, {
      similar: [{ movieId: 858, score: 0.9 }],
      meanRating: 4.43,
      ratingsCount: 317,
      modelVersion: 'v1',
    });

    const recommendations = (await db.collection('recommendations').doc(uid).get()).data();
    expect(recommendations).toMatchObject({
      basis: 'personal',
      modelVersion: 'v1',
      ratingsCount: 3,
      items: [
        { movieId: 1, score: 2.5, predictedRating: 4.5, because: { movieId: 318, rating: 5 } },
        { movieId: 2, score: 1.5, predictedRating: 4 },
      ],
    });
    expect(recommendations?.items[1]).not.toHaveProperty('because');
    expect((await db.collection('public').doc('popular').get()).get('items')).toEqual([
      { movieId: 318, score: 4.4, meanRating: 4.43, ratingsCount: 317 },
    ]);
    expect((await db.collection('movies').doc('318').get()).get('similar')).toEqual([
      { movieId: 858, score: 0.9 },
    ]);
  });
});

describe('bulkWrite', () => {
  it('writes every document from a lazy source and reports progress', async () => {
    const run = randomUUID();
    const count = 1200;
    async function* writes(): AsyncGenerator<BulkWrite> {
      for (let n = 0; n < count; n += 1) {
        const uid = `bulk-${run}-${n}`;
        yield {
          kind: 'userModel',
          update: { uid, factors: [n, -n], bias: n / 10, modelVersion: 'v2' },
        };
        yield {
          kind: 'recommendations',
          uid,
          document: { items: [], basis: 'popular', modelVersion: 'v2', ratingsCount: 0 },
        };
      }
    }
    const progress: BulkProgress[] = [];
    const result = await bulkWrite(db, writes(), {
      onProgress: (p) => progress.push(p),
      progressEvery: 500,
    });
    expect(result).toEqual({ written: 2 * count, failed: 0, skipped: 0 });
    expect(progress.map((p) => p.written)).toEqual([500, 1000, 1500, 2000, 2400]);

    const sample = await readUser(db, `bulk-${run}-7`);
    expect(sample).toMatchObject({ factors: [7, -7], bias: 0.7, modelVersion: 'v2' });
    const recommendations = await db
      .collection('recommendations')
      .where('modelVersion', '==', 'v2')
      .count()
      .get();
    expect(recommendations.data().count).toBeGreaterThanOrEqual(count);
  });

  it('skips a conditional write whose document changed since it was read', async () => {
    const uid = `conditional-${randomUUID()}`;
    const userRef = db.collection('users').doc(uid);
    await applyRatingEvent(db, rating(uid, { movieId: 1 }));
    const readAt = (await userRef.get()).updateTime!;
    // A rating lands after the republish read the user.
    await applyRatingEvent(db, rating(uid, { movieId: 2, ratedAt: '2026-11-23T11:00:00Z' }));
    const freshReadAt = (await userRef.get()).updateTime!;
    const recommendations = {
      items: [],
      basis: 'popular' as const,
      modelVersion: 'v3',
      ratingsCount: 2,
    };
    await writeRecommendations(db, uid, { ...recommendations, modelVersion: 'ingest' });
    const result = await bulkWrite(db, [
      { kind: 'userModel', update: { uid, factors: [1], bias: 0, modelVersion: 'v3' }, readAt },
      { kind: 'recommendations', uid, document: recommendations, readAt: 'absent' },
      {
        kind: 'recommendations',
        uid: `${uid}-new`,
        document: recommendations,
        readAt: 'absent',
      },
    ]);
    expect(result).toEqual({ written: 1, failed: 0, skipped: 2 });
    expect((await readUser(db, uid))?.modelVersion).toBeUndefined();
    expect((await db.collection('recommendations').doc(uid).get()).get('modelVersion')).toBe(
      'ingest',
    );
    const again = await bulkWrite(db, [
      {
        kind: 'userModel',
        update: { uid, factors: [1], bias: 0, modelVersion: 'v3' },
        readAt: freshReadAt,
      },
    ]);
    expect(again).toEqual({ written: 1, failed: 0, skipped: 0 });
    const user = await readUser(db, uid);
    expect(user?.modelVersion).toBe('v3');
    expect(Array.from(user!.ratings, (entry) => entry.movieId)).toEqual([1, 2]);
  });
});
