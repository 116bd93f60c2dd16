// Security rules against the Firestore emulator (FIRESTORE_EMULATOR_HOST). Each test runs on a
// fresh project id, so it can share an emulator with other suites.
import { readFileSync } from 'node:fs';
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import { UserRatings } from '@reel/functions/ratings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUserRatings } from '../src/lib/documents.js';

/**
 * Writes `users/{uid}` with its ratings as the functions do (packed in one Bytes field), over
 * the emulator's REST API as an administrator: the web SDK copy that rules-unit-testing loads
 * refuses Bytes made by the copy this file imports.
 */
async function writeUserRatings(projectId: string, uid: string, ratings: UserRatings) {
  const url = `http://${process.env.FIRESTORE_EMULATOR_HOST}/v1/projects/${projectId}/databases/(default)/documents/users/${uid}`;
  const response = await fetch(url, {
    method: 'PATCH',
    headers: { authorization: 'Bearer owner', 'content-type': 'application/json' },
    body: JSON.stringify({
      fields: {
        ratings: { bytesValue: Buffer.from(ratings.encode()).toString('base64') },
        ratingsCount: { integerValue: String(ratings.count) },
      },
    }),
  });
  if (!response.ok)
    throw new Error(`writing users/${uid}: ${response.status} ${await response.text()}`);
}

const RULES = readFileSync(new URL('../../firestore.rules', import.meta.url), 'utf8');

let env: RulesTestEnvironment;

beforeAll(async () => {
  if (!process.env.FIRESTORE_EMULATOR_HOST) {
    throw new Error(
      'FIRESTORE_EMULATOR_HOST is not set: start the Firestore emulator (e.g. 127.0.0.1:8080) first',
    );
  }
  env = await initializeTestEnvironment({
    projectId: `demo-reel-rules-${process.pid}`,
    firestore: { rules: RULES },
  });
  await env.clearFirestore();
  const alicesRatings = UserRatings.of([
    {
      movieId: 1,
      rating: 4,
      ratedAtMicros: Date.parse('2026-11-23T10:00:00Z') * 1000,
      eventTag: 1,
    },
  ]);
  await writeUserRatings(env.projectId, 'alice', alicesRatings);
  await writeUserRatings(env.projectId, 'bob', UserRatings.empty);
  await env.withSecurityRulesDisabled(async (context) => {
    const db = context.firestore();
    await db.doc('recommendations/alice').set({ items: [], basis: 'popular', ratingsCount: 0 });
    await db.doc('recommendations/bob').set({ items: [], basis: 'popular', ratingsCount: 0 });
    await db
      .doc('public/popular')
      .set({ items: [{ movieId: 318, score: 4.3, meanRating: 4.4, ratingsCount: 317 }] });
    await db.doc('public/secret').set({ note: 'not part of the public contract' });
    await db.doc('movies/1').set({ similar: [], meanRating: 3.9, ratingsCount: 215 });
    await db.doc('models/current').set({ version: 'v1' });
  });
});

afterAll(async () => {
  await env?.cleanup();
});

const alice = () => env.authenticatedContext('alice').firestore();
const anonymous = () => env.unauthenticatedContext().firestore();

describe('reads', () => {
  it('lets a signed-in user read their own user and recommendations documents', async () => {
    await assertSucceeds(alice().doc('users/alice').get());
    await assertSucceeds(alice().doc('recommendations/alice').get());
    // Not written yet: still theirs to read (the site listens before the first rating).
    const carol = env.authenticatedContext('carol').firestore();
    await assertSucceeds(carol.doc('recommendations/carol').get());
    await assertSucceeds(carol.doc('users/carol').get());
  });

  it('gives the owner their packed ratings, which the site reads', async () => {
    const snapshot = await alice().doc('users/alice').get();
    expect(readUserRatings('users/alice', snapshot.data()!)).toEqual(
      new Map([[1, { rating: 4, ratedAt: '2026-11-23T10:00:00.000Z', eventTag: 1 }]]),
    );
  });

  it("refuses another user's documents", async () => {
    await assertFails(alice().doc('users/bob').get());
    await assertFails(alice().doc('recommendations/bob').get());
  });

  it('refuses private documents to visitors who are not signed in', async () => {
    await assertFails(anonymous().doc('users/alice').get());
    await assertFails(anonymous().doc('recommendations/alice').get());
  });

  it('lets anyone read the popularity list and movie documents', async () => {
    for (const db of [alice(), anonymous()]) {
      await assertSucceeds(db.doc('public/popular').get());
      await assertSucceeds(db.doc('movies/1').get());
      await assertSucceeds(db.doc('movies/999999').get());
    }
  });

  it('refuses listing collections and reading anything else', async () => {
    for (const db of [alice(), anonymous()]) {
      await assertFails(db.collection('users').get());
      await assertFails(db.collection('recommendations').get());
      await assertFails(db.collection('movies').get());
      await assertFails(db.collection('public').get());
      await assertFails(db.doc('public/secret').get());
      await assertFails(db.doc('models/current').get());
    }
  });
});

describe('writes', () => {
  const paths = [
    'users/alice',
    'users/bob',
    'recommendations/alice',
    'recommendations/bob',
    'public/popular',
    'movies/1',
    'movies/2',
    'models/current',
    'anything/else',
  ];

  it.each(paths)('refuses every client write to %s, signed in or not', async (path) => {
    for (const db of [alice(), anonymous()]) {
      const ref = db.doc(path);
      await assertFails(ref.set({ hacked: true }));
      await assertFails(ref.set({ hacked: true }, { merge: true }));
      await assertFails(ref.update({ hacked: true }));
      await assertFails(ref.delete());
    }
  });

  it('refuses creating documents through a collection', async () => {
    await assertFails(alice().collection('users').add({ hacked: true }));
    await assertFails(anonymous().collection('recommendations').add({ hacked: true }));
  });
});
