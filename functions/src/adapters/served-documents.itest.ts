import { randomUUID } from 'node:crypto';
import { testClients } from '@reel/testing/clients';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecommendationsDocument } from '../contracts/firestore-documents.js';
import type { RatingEvent } from '../contracts/rating-event.js';
import { applyRatingEvent, readUser } from './firestore.js';
import { firestoreServedDocuments } from './served-documents.js';

const { firestore: db, close } = testClients();
afterAll(close);
const served = firestoreServedDocuments(db);

const rating = (userId: string, overrides: Partial<RatingEvent>): RatingEvent => ({
  eventId: randomUUID(),
  userId,
  movieId: 318,
  rating: 4,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
  ...overrides,
});

describe('the served documents (against the Firestore emulator)', () => {
  it('writes recommendations, the popular list and a movie with a server timestamp', async () => {
    const uid = `recs-${randomUUID()}`;
    const recommendations: RecommendationsDocument = {
      items: [
        { movieId: 1, score: 2.5, predictedRating: 4.5, because: { movieId: 318, rating: 5 } },
        { movieId: 2, score: 1.5, predictedRating: 4 },
      ],
      basis: 'personal',
      modelVersion: 'v1',
      ratingsCount: 3,
    };
    await applyRatingEvent(db, rating(uid, {}));
    const [user] = await served.readUsers([uid]);
    expect(
      await served.writeUser(user!, {
        factors: [1, 2.5],
        bias: 0.5,
        modelVersion: 'v1',
        serial: 1,
        recommendations,
      }),
    ).toBe('written');
    // The factors are one Bytes value (little-endian Float64), read back as numbers.
    const storedFactors = (await db.collection('users').doc(uid).get()).get('factors');
    expect(storedFactors).toBeInstanceOf(Uint8Array);
    expect(storedFactors.byteLength).toBe(16);
    expect((await readUser(db, uid))?.factors).toEqual([1, 2.5]);
    expect(
      await served.writePopular(
        {
          items: [{ movieId: 318, score: 4.4, meanRating: 4.43, ratingsCount: 317 }],
          modelVersion: 'v1',
        },
        1,
      ),
    ).toBe('written');
    expect(
      await served.writeMovies(
        [
          {
            movieId: 318,
            document: {
              similar: [{ movieId: 858, score: 0.9 }],
              meanRating: 4.43,
              ratingsCount: 317,
              modelVersion: 'v1',
            },
          },
        ],
        1,
      ),
    ).toEqual({ written: 1, newer: 0 });

    const stored = (await db.collection('recommendations').doc(uid).get()).data();
    expect(stored).toMatchObject({
      basis: 'personal',
      modelVersion: 'v1',
      ratingsCount: 3,
      items: [
        { movieId: 1, score: 2.5, predictedRating: 4.5, because: { movieId: 318, rating: 5 } },
        { movieId: 2, score: 1.5, predictedRating: 4 },
      ],
    });
    expect(stored?.items[1]).not.toHaveProperty('because');
    expect(stored?.updatedAt.toMillis()).toBeGreaterThan(Date.now() - 60_000);
    expect((await db.collection('public').doc('popular').get()).get('items')).toEqual([
      { movieId: 318, score: 4.4, meanRating: 4.43, ratingsCount: 317 },
    ]);
    const movie = await db.collection('movies').doc('318').get();
    expect(movie.get('similar')).toEqual([{ movieId: 858, score: 0.9 }]);
    expect(movie.get('updatedAt').toMillis()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('skips a conditional write whose document changed since it was read', async () => {
    const uid = `conditional-${randomUUID()}`;
    await applyRatingEvent(db, rating(uid, { movieId: 1 }));
    const [readBefore] = await served.readUsers([uid]);
    // A rating lands after the republish read the user.
    await applyRatingEvent(db, rating(uid, { movieId: 2, ratedAt: '2026-11-23T11:00:00Z' }));
    const write = {
      factors: [1],
      bias: 0,
      modelVersion: 'v3',
      serial: 3,
      recommendations: {
        items: [],
        basis: 'popular' as const,
        modelVersion: 'v3',
        ratingsCount: 2,
      },
    };
    expect(await served.writeUser(readBefore!, write)).toBe('changed');
    expect((await readUser(db, uid))?.modelVersion).toBeUndefined();
    expect((await db.collection('recommendations').doc(uid).get()).exists).toBe(false);

    const [readAgain] = await served.readUsers([uid]);
    expect(await served.writeUser(readAgain!, write)).toBe('written');
    const user = await readUser(db, uid);
    expect(user?.modelVersion).toBe('v3');
    expect(Array.from(user!.ratings, (entry) => entry.movieId)).toEqual([1, 2]);
    expect((await db.collection('recommendations').doc(uid).get()).get('modelVersion')).toBe('v3');
  });
});
