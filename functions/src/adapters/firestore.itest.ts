import { randomUUID } from 'node:crypto';
import { testClients } from '@reel/testing/clients';
import { afterAll, describe, expect, it } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { entryOf } from '../ratings/last-write-wins.js';
import { eventTag } from '../ratings/user-ratings.js';
import { applyRatingEvent, readUser } from './firestore.js';

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
