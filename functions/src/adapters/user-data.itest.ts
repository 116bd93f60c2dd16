import { randomUUID } from 'node:crypto';
import { appendEvents } from '@reel/testing/bigquery';
import { testClients, testConfig } from '@reel/testing/clients';
import { provisionBigQuery } from '@reel/testing/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { createLogger } from '../logging/logger.js';
import { createDeleteMyData } from '../privacy.js';
import { createDeleteUserData, sweepDeletions } from '../usecases/delete-user-data.js';
import { EVENTS_TABLE, readCurrentRatings } from './bigquery.js';
import {
  bigQueryEventErasure,
  DELETIONS_TABLE,
  firebaseAccounts,
  firestoreUserDocuments,
  USER_DOCUMENT_COLLECTIONS,
} from './user-data.js';

const clients = testClients();
const { bigquery, firestore, auth } = clients;
// A dataset of this file's own, created from the same .sql files as npm start and Terraform.
const ref = { project: testConfig().project, dataset: `itest_${randomUUID().replaceAll('-', '')}` };
const ports = {
  documents: firestoreUserDocuments(firestore),
  accounts: firebaseAccounts(auth),
  events: bigQueryEventErasure(bigquery, ref),
  log: createLogger(() => {}),
};

beforeAll(async () => {
  await provisionBigQuery(bigquery, ref);
});
afterAll(() => clients.close());

/** Anonymous sign-up through the Auth emulator's REST API, as the site's SDK does it. */
async function signUpAnonymously(): Promise<string> {
  const response = await fetch(
    `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnSecureToken: true }),
    },
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { localId: string }).localId;
}

const event = (userId: string, movieId: number, rating: number): RatingEvent => ({
  eventId: randomUUID(),
  userId,
  movieId,
  rating,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
});

async function userIdsOfTrainingRead(): Promise<Set<string>> {
  const seen = new Set<string>();
  for await (const batch of readCurrentRatings(bigquery, ref)) {
    for (const userId of batch.userIds) seen.add(userId);
  }
  return seen;
}

async function rowsOf(table: string, uid: string): Promise<Record<string, unknown>[]> {
  const [rows] = await bigquery.query({
    query: `SELECT * FROM \`${ref.project}.${ref.dataset}.${table}\` WHERE userId = @uid`,
    params: { uid },
  });
  return rows;
}

/** A person with an account, both per-user documents and two events; returns their uid. */
async function personWithData(): Promise<string> {
  const uid = await signUpAnonymously();
  for (const collection of USER_DOCUMENT_COLLECTIONS) {
    await firestore.collection(collection).doc(uid).set({ ratingsCount: 2 });
  }
  await appendEvents(clients, ref, [event(uid, 1, 4), event(uid, 2, 3.5)]);
  return uid;
}

describe('Delete my data (against the emulators)', () => {
  it('reaches every store: documents, account and events gone, the training read without them', async () => {
    const uid = await personWithData();
    const other = await personWithData();
    expect(await userIdsOfTrainingRead()).toEqual(new Set([uid, other]));

    const result = await createDeleteUserData(ports).deleteMyData(uid);

    // bqemulator has no streaming buffer, so the rows go at once (BigQuery: 'scheduled').
    expect(result).toEqual({ firestoreDocuments: 2, bigQuery: 'deleted' });
    for (const collection of USER_DOCUMENT_COLLECTIONS) {
      expect((await firestore.collection(collection).doc(uid).get()).exists, collection).toBe(
        false,
      );
      expect((await firestore.collection(collection).doc(other).get()).exists, collection).toBe(
        true,
      );
    }
    await expect(auth.getUser(uid)).rejects.toMatchObject({ code: 'auth/user-not-found' });
    expect((await auth.getUser(other)).uid).toBe(other);
    expect(await rowsOf(EVENTS_TABLE, uid)).toEqual([]);
    expect(await rowsOf(EVENTS_TABLE, other)).toHaveLength(2);
    expect(await userIdsOfTrainingRead()).toEqual(new Set([other]));
    const [deletion] = await rowsOf(DELETIONS_TABLE, uid);
    expect(deletion?.erasedAt).not.toBeNull();

    // Deleting again (a retried request) finds nothing and fails on nothing.
    expect(await createDeleteUserData(ports).deleteMyData(uid)).toEqual({
      firestoreDocuments: 0,
      bigQuery: 'deleted',
    });
  });

  it('excludes at once the events BigQuery still holds, and the sweep deletes them and any document recreated', async () => {
    const uid = await personWithData();
    // As when the rows are in the streaming buffer: the deletion is recorded, rows remain.
    await ports.events.recordDeletion(uid);
    expect(await rowsOf(EVENTS_TABLE, uid)).toHaveLength(2);
    expect((await userIdsOfTrainingRead()).has(uid)).toBe(false);
    const [counted] = (
      await bigquery.query(
        `SELECT COUNT(*) AS n FROM \`${ref.project}.${ref.dataset}.current_ratings\` WHERE userId = '${uid}'`,
      )
    )[0] as { n: number }[];
    expect(Number(counted?.n)).toBe(0);

    expect(await ports.events.pendingDeletions()).toContain(uid);
    const report = await sweepDeletions(ports);
    expect(report.bigQuery).toBe('deleted');
    expect(report.firestoreDocuments).toBeGreaterThanOrEqual(2);
    expect(await rowsOf(EVENTS_TABLE, uid)).toEqual([]);
    for (const collection of USER_DOCUMENT_COLLECTIONS) {
      expect((await firestore.collection(collection).doc(uid).get()).exists, collection).toBe(
        false,
      );
    }
    await expect(auth.getUser(uid)).rejects.toMatchObject({ code: 'auth/user-not-found' });
    const [deletion] = await rowsOf(DELETIONS_TABLE, uid);
    expect(deletion?.erasedAt).not.toBeNull();

    // An event published before the deletion and ingested after it: excluded, and swept.
    await appendEvents(clients, ref, [event(uid, 3, 5)]);
    expect((await userIdsOfTrainingRead()).has(uid)).toBe(false);
    await sweepDeletions(ports);
    expect(await rowsOf(EVENTS_TABLE, uid)).toEqual([]);
  });

  it('is wired by createDeleteMyData over one instance’s clients and configuration', async () => {
    const config = testConfig();
    await provisionBigQuery(bigquery, config);
    const uid = await signUpAnonymously();
    await firestore.collection('users').doc(uid).set({ ratingsCount: 1 });
    const deleteMyData = createDeleteMyData(
      clients,
      config,
      createLogger(() => {}),
    );
    expect(await deleteMyData.deleteMyData(uid)).toEqual({
      firestoreDocuments: 1,
      bigQuery: 'deleted',
    });
    await expect(auth.getUser(uid)).rejects.toMatchObject({ code: 'auth/user-not-found' });
  });
});
