/**
 * The fan-out republish against the emulators: shards published to a topic whose push
 * subscription (retry and dead-letter policies, as npm start creates it) delivers them to
 * republishUsers served by functions-framework; people in BigQuery and Firestore; models in
 * Cloud Storage; progress on the model's record in Firestore.
 */
import { randomUUID } from 'node:crypto';
import { appendEvents } from '@reel/testing/bigquery';
import { testClients, testConfig } from '@reel/testing/clients';
import {
  localPushEndpoint,
  provisionBigQuery,
  provisionPushSubscriptions,
  provisionTopics,
} from '@reel/testing/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPublishers,
  createUseCasePorts,
  firestoreServedDocuments,
  listModelVersions,
  listStagedVersions,
  userRatingsFields,
  writeModelFiles,
  writeStagedFiles,
} from '../adapters/index.js';
import { createLogger } from '../logging/logger.js';
import { tasteRatings } from '../testing/fixtures.js';
import { fixtureModelFiles, fixtureUsers } from '../testing/memory-ports.js';
import { type ServedFunction, serveFunction } from '../testing/serve.js';
import { until } from '../testing/until.js';
import type { ServedDocuments } from '../usecases/ports.js';
import { pruneVersions } from '../usecases/prune.js';
import { rollback } from '../usecases/rollback.js';
import { createRepublishUsers } from './republish-users.js';

const run = randomUUID().slice(0, 8);
const config = testConfig({
  REEL_DATASET: `itest_${randomUUID().replaceAll('-', '')}`,
  REEL_MODELS_BUCKET: `itest-republish-${randomUUID()}`,
  REEL_REPUBLISH_TOPIC: `itest-republish-${run}`,
  REEL_REPUBLISH_DEAD_LETTER_TOPIC: `itest-republish-dead-letter-${run}`,
  REEL_REPUBLISH_USERS_PER_SHARD: '10',
  REEL_TOP_N: '5',
});
const clients = testClients(config);
const { firestore, storage } = clients;
const log = createLogger(() => {});
const bucket = storage.bucket(config.modelsBucket);
const ports = createUseCasePorts(clients, config, createPublishers(clients.pubsub, config), log);
const subscription = `itest-republish-users-${run}`;
// 60 people (6 shards of 10), the fixture model's 48 movies (1 shard), the popularity list.
const people = [...fixtureUsers(tasteRatings({ users: 60, movies: 48, perUser: 8, seed: 11 }))].map(
  ([uid, ratings]) => [`rp-${run}-${uid}`, ratings] as const,
);
const uids = people.map(([uid]) => uid);
const SHARDS = 6 + 1 + 1;

/** What each write of a person does first; a test sets it to crash or hold the function. */
let beforeUserWrite: (uid: string, version: string) => Promise<void> = async () => {};
const real = firestoreServedDocuments(firestore);
const documents: ServedDocuments = {
  ...real,
  writeUser: async (user, write) => {
    await beforeUserWrite(user.uid, write.modelVersion);
    return real.writeUser(user, write);
  },
};
let served: ServedFunction;

async function serve(version: string, serial: number) {
  const pointer = await ports.retrain.models.readPointer();
  await ports.retrain.models.movePointer(
    { version, publishedAt: new Date().toISOString(), serial },
    pointer?.generation ?? '0',
  );
}

async function finished(version: string, serial: number) {
  return until(
    async () => {
      const state = await ports.shard.progress.read(version);
      return state?.serial === serial && !state.running ? state : undefined;
    },
    { what: `republish ${serial} of ${version}`, timeoutMs: 90_000, intervalMs: 200 },
  );
}

async function versionsOfPeople() {
  const snapshots = await firestore.getAll(
    ...uids.flatMap((uid) => [
      firestore.collection('users').doc(uid),
      firestore.collection('recommendations').doc(uid),
    ]),
  );
  return snapshots.map((snapshot) => snapshot.get('modelVersion'));
}

beforeAll(async () => {
  await provisionBigQuery(clients.bigquery, config);
  await bucket.create();
  for (const version of ['v1', 'v2']) {
    await writeModelFiles(bucket, version, await fixtureModelFiles(version));
  }
  // Who a republish writes for comes from BigQuery; their ratings from Firestore.
  await appendEvents(
    clients,
    config,
    people.flatMap(([uid, ratings]) =>
      Array.from(ratings, (entry) => ({
        eventId: randomUUID(),
        userId: uid,
        movieId: entry.movieId,
        rating: entry.rating,
        ratedAt: new Date(entry.ratedAtMicros / 1000).toISOString(),
        source: 'import' as const,
      })),
    ),
  );
  const writer = firestore.bulkWriter();
  for (const [uid, ratings] of people) {
    void writer.set(firestore.collection('users').doc(uid), userRatingsFields(ratings));
  }
  await writer.close();

  served = await serveFunction({
    cloudEvent: createRepublishUsers({
      ports: { ...ports.shard, documents },
      settings: ports.republishSettings,
    }),
  });
  await provisionTopics(
    clients.pubsub,
    [config.republishTopic, config.republishDeadLetterTopic],
    config.republishDeadLetterTopic,
  );
  await provisionPushSubscriptions(clients.pubsub, config.project, [
    {
      name: subscription,
      topic: config.republishTopic,
      pushEndpoint: localPushEndpoint(served.url, config.project, config.republishTopic),
      ordered: false,
      ackDeadlineSeconds: 60,
      minimumBackoffSeconds: 1,
      maximumBackoffSeconds: 5,
      deadLetter: { topic: config.republishDeadLetterTopic, maxDeliveryAttempts: 5 },
    },
  ]);
});

afterAll(async () => {
  await clients.pubsub
    .subscription(subscription)
    .delete()
    .catch(() => {});
  await served?.close();
  await clients.close();
});

describe('republishUsers through a push subscription (Pub/Sub, Firestore, Storage, BigQuery emulators)', {
  timeout: 120_000,
}, () => {
  it('finishes by redelivery a shard whose function crashed half-way, every person on the new version', async () => {
    let crashed = false;
    beforeUserWrite = async (uid) => {
      // The 5th person of the third people shard: its first delivery dies mid-shard.
      if (!crashed && uid === uids[24]) {
        crashed = true;
        throw new Error('instance crashed (injected)');
      }
    };
    await serve('v1', 1);
    const started = await ports.retrain.republish.start({ version: 'v1', serial: 1 });
    expect(started).toEqual({ serial: 1, shards: SHARDS, users: 60 });
    const state = await finished('v1', 1);
    expect(crashed).toBe(true);
    // Counted once per shard; the redelivery skipped the people its first delivery wrote.
    expect(state).toMatchObject({ shards: SHARDS, shardsDone: SHARDS, failed: 0, missing: 0 });
    expect(state.written + state.skipped).toBe(60 + 48 + 1);
    expect(await versionsOfPeople()).toEqual(uids.flatMap(() => ['v1', 'v1']));
    const list = await firestore.doc(`recommendations/${uids[24]}`).get();
    expect(list.get('basis')).toBe('personal');
    expect((await firestore.doc(`users/${uids[24]}`).get()).get('modelSerial')).toBe(1);
  });

  it('leaves every person on the rolled-back version when a rollback comes during a republish', async () => {
    // v2's last three people shards are held until the rollback has moved the pointer: they
    // read their people before it and write after it.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = new Set<string>(uids.slice(30));
    beforeUserWrite = async (uid, version) => {
      if (version === 'v2' && held.has(uid)) await released;
    };
    await serve('v2', 2);
    await ports.retrain.republish.start({ version: 'v2', serial: 2 });
    await until(
      async () => ((await ports.shard.progress.read('v2'))?.shardsDone ?? 0) >= 1 || undefined,
      { what: 'a first shard of v2', timeoutMs: 60_000, intervalMs: 50 },
    );
    const during = await ports.shard.progress.read('v2');
    expect(during?.running).toBe(true);
    const result = await rollback(ports.retrain, { to: 'v1' });
    release();
    expect(result).toMatchObject({
      from: 'v2',
      to: 'v1',
      republish: { serial: 3, shards: SHARDS },
    });
    const rolledBack = await finished('v1', 3);
    const overtaken = await finished('v2', 2);
    expect(rolledBack).toMatchObject({ shardsDone: SHARDS, failed: 0 });
    expect(overtaken.shardsDone).toBe(SHARDS);
    expect(await versionsOfPeople()).toEqual(uids.flatMap(() => ['v1', 'v1']));
    expect((await firestore.doc('public/popular').get()).get('modelSerial')).toBeGreaterThanOrEqual(
      3,
    );
    const movies = await firestore.collection('movies').where('modelSerial', '==', 3).count().get();
    expect(movies.data().count).toBeGreaterThanOrEqual(48);
  });

  it('prunes exactly the versions beyond the serving one and its rollback targets, sparing a running republish’s', async () => {
    beforeUserWrite = async () => {};
    const name = (day: number) => `2026-12-0${day}T00-00-00.000Z-0000000${day}`;
    for (let day = 1; day <= 6; day++) {
      await writeModelFiles(
        bucket,
        name(day),
        new Map([['manifest.json', new TextEncoder().encode('{}')]]),
      );
    }
    await writeStagedFiles(
      bucket,
      '2026-11-01T00-00-00.000Z-99999999',
      new Map([['manifest.json', new Uint8Array(1)]]),
    );
    const fresh = new Date(Date.now() - 3600_000).toISOString().replaceAll(':', '-');
    await writeStagedFiles(
      bucket,
      `${fresh}-99999999`,
      new Map([['manifest.json', new Uint8Array(1)]]),
    );
    await serve(name(5), 4);
    // A republish of day 1's version still running (never planned to the end).
    await ports.shard.progress.begin({ version: name(1), serial: 4 }, new Date().toISOString());
    const outcome = await pruneVersions(
      { models: ports.retrain.models, running: ports.retrain.running, log },
      { rollbackTargets: 2 },
    );
    // Day 1's is older than the targets but a running republish reads it; day 6's and the
    // earlier tests' v1 and v2 sort after the serving one (rollback left them) and stay.
    expect(outcome.deleted).toEqual([name(2)]);
    expect(await listModelVersions(bucket)).toEqual([
      name(1),
      name(3),
      name(4),
      name(5),
      name(6),
      'v1',
      'v2',
    ]);
    expect(await listStagedVersions(bucket)).toEqual([`${fresh}-99999999`]);
  });
});
