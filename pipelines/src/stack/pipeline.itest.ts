/**
 * The whole pipeline against the emulators, through real processes and real pushes: the three
 * functions run as local servers (as npm start runs them), Pub/Sub pushes to them through the
 * subscriptions npm start creates, and the retrain is asked for with `npm run retrain`.
 * Everything here has its own topics, dataset and bucket, so the other integration tests
 * (which use the shared ones) neither see nor disturb it.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Message } from '@google-cloud/pubsub';
import {
  type Clients,
  EVENTS_TABLE,
  publishRatingEvent,
  readPointer,
  readUser,
} from '@reel/functions/adapters';
import type { Config } from '@reel/functions/config';
import type { RatingEvent } from '@reel/functions/contracts/rating-event';
import { entryOf } from '@reel/functions/ratings';
import { until } from '@reel/functions/testing/until';
import { testClients, testConfig } from '@reel/testing/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_RATINGS } from '../data/bundled.js';
import { loadRatingsFile } from '../data/read-ratings-file.js';
import { loadIntoStores, publishCatalogue } from '../load/load-into-stores.js';
import {
  provisionFunctionSubscriptions,
  type RunningFunctions,
  startFunctions,
} from './functions.js';
import { freePorts } from './ports.js';
import { provisionResources } from './provision.js';
import { repositoryRoot } from './repository.js';

const run = promisify(execFile);
const suffix = randomUUID().slice(0, 8);
const settings: Record<string, string> = {
  REEL_RATINGS_TOPIC: `pipeline-ratings-${suffix}`,
  REEL_DEAD_LETTER_TOPIC: `pipeline-dead-letter-${suffix}`,
  REEL_RETRAIN_TOPIC: `pipeline-retrain-${suffix}`,
  REEL_REPUBLISH_TOPIC: `pipeline-republish-${suffix}`,
  REEL_REPUBLISH_DEAD_LETTER_TOPIC: `pipeline-republish-dead-letter-${suffix}`,
  REEL_DATASET: `pipeline_${suffix}`,
  REEL_MODELS_BUCKET: `demo-reel-pipeline-${suffix}`,
  // 25 users make a noisy held-out score; the gate itself is the retrain's own tests' subject.
  REEL_RETRAIN_MAX_REGRESSION: '0.5',
};
const config: Config = testConfig(settings);
let clients: Clients;
let functions: RunningFunctions;
let functionEnv: Record<string, string>;
let workDir: string;
/** The MovieLens users loaded for the test (the first ones of the bundled file). */
let loadedUsers: string[] = [];
/** Every user this test rated for (the Firestore emulator is shared with other tests). */
const testUsers = new Set<string>();

const USERS_LOADED = 25;

/** How long to wait for something the pipeline does eventually (generous: CI may be busy). */
const PIPELINE_WAIT = { timeoutMs: 60_000, intervalMs: 50 };

async function eventRows(eventId: string): Promise<{ rows: number; events: number }> {
  const [rows] = await clients.bigquery.query(
    `SELECT COUNT(*) AS rows, COUNT(DISTINCT eventId) AS events
     FROM \`${config.project}.${config.dataset}.${EVENTS_TABLE}\` WHERE eventId = '${eventId}'`,
  );
  const [counts] = rows as { rows: number; events: number }[];
  return { rows: Number(counts!.rows), events: Number(counts!.events) };
}

async function signUp(): Promise<{ uid: string; idToken: string }> {
  const response = await fetch(
    `http://${config.emulators.auth}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=itest`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnSecureToken: true }),
    },
  );
  const body = (await response.json()) as { localId: string; idToken: string };
  return { uid: body.localId, idToken: body.idToken };
}

/** `npm run retrain` against this test's resources (the CLI reads REEL_* and emulator vars). */
async function retrainWithCli(): Promise<string> {
  const root = repositoryRoot();
  const { stderr } = await run(
    process.execPath,
    ['--import', 'tsx', join(root, 'pipelines', 'src', 'cli', 'retrain.ts'), '--timeout=120'],
    { cwd: root, env: { ...process.env, ...functionEnv, REEL_STATE_DIR: workDir } },
  );
  return stderr;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'reel-pipeline-itest-'));
  clients = testClients(config);
  await provisionResources(clients, config);
  const ports = await freePorts(['api', 'ingestRating', 'retrainModel', 'republishUsers']);
  functionEnv = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined && /_EMULATOR_HOST$|^GOOGLE_CLOUD_PROJECT$/.test(entry[0]),
      ),
    ),
    ...settings,
  };
  functions = await startFunctions({
    root: repositoryRoot(),
    ports,
    env: functionEnv,
    logDir: join(workDir, 'logs'),
  });
  await provisionFunctionSubscriptions(clients.pubsub, config, functions.urls);

  // A slice of MovieLens: the first users of the bundled file (it is sorted by user).
  const lines = readFileSync(BUNDLED_RATINGS, 'utf8').split('\n');
  const slice = [lines[0]!];
  for (const line of lines.slice(1)) {
    if (Number(line.split(',')[0]) > USERS_LOADED) break;
    slice.push(line);
  }
  const file = join(workDir, 'ratings.csv');
  writeFileSync(file, `${slice.join('\n')}\n`);
  copyFileSync(join(dirname(BUNDLED_RATINGS), 'movies.csv'), join(workDir, 'movies.csv'));
  const loaded = await loadRatingsFile(file);
  await loadIntoStores(loaded, {
    bigquery: clients.bigquery,
    firestore: clients.firestore,
    dataset: config,
    bucket: clients.storage.bucket(config.modelsBucket),
    route: 'upload',
    progress: () => {},
  });
  await publishCatalogue(clients.storage.bucket(config.modelsBucket), file, loaded);
  loadedUsers = Array.from({ length: USERS_LOADED }, (_, n) => `ml-${n + 1}`);
  const stderr = await retrainWithCli();
  expect(stderr).toMatch(/new model .* serving/);
}, 240_000);

afterAll(async () => {
  await functions?.stop();
  await clients?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the local pipeline (functions as servers, Pub/Sub pushes, emulators)', {
  timeout: 90_000,
}, () => {
  it('the first retrain published a model every loaded user carries', async () => {
    const pointer = await readPointer(clients.storage.bucket(config.modelsBucket));
    expect(pointer).toBeDefined();
    const users = await clients.firestore.getAll(
      ...loadedUsers.map((uid) => clients.firestore.doc(`users/${uid}`)),
    );
    expect(users.map((user) => user.get('modelVersion'))).toEqual(
      loadedUsers.map(() => pointer!.pointer.version),
    );
  });

  it('a POSTed rating is in BigQuery once and personal recommendations follow within seconds', async () => {
    const user = await signUp();
    testUsers.add(user.uid);
    const eventId = randomUUID();
    const posted = Date.now();
    const response = await fetch(`${functions.urls.api}/v1/ratings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.idToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId, movieId: 260, rating: 5 }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ eventId, status: 'accepted' });
    const recommendations = await until(
      async () => {
        const snapshot = await clients.firestore.doc(`recommendations/${user.uid}`).get();
        return snapshot.get('basis') === 'personal' ? snapshot.data() : undefined;
      },
      { what: 'recommendations/{uid} personal', ...PIPELINE_WAIT },
    );
    const seconds = (Date.now() - posted) / 1000;
    expect(seconds).toBeLessThan(5);
    expect(recommendations!.ratingsCount).toBe(1);
    expect((recommendations!.items as { movieId: number }[]).length).toBeGreaterThan(0);
    // The append may finish after the Firestore writes; once there, it is there once.
    await until(async () => ((await eventRows(eventId)).events > 0 ? true : undefined), {
      what: 'the event in BigQuery',
      ...PIPELINE_WAIT,
    });
    expect(await eventRows(eventId)).toEqual({ rows: 1, events: 1 });
  });

  const event = (overrides: Partial<RatingEvent>): RatingEvent => {
    const rating: RatingEvent = {
      eventId: randomUUID(),
      userId: `itest-${randomUUID().slice(0, 8)}`,
      movieId: 1,
      rating: 4,
      ratedAt: '2026-11-23T10:00:00.000Z',
      source: 'site',
      ...overrides,
    };
    testUsers.add(rating.userId);
    return rating;
  };
  const ratingsTopic = () => clients.pubsub.topic(config.ratingsTopic, { messageOrdering: true });

  it('the same event published three times counts once', async () => {
    const duplicate = event({ movieId: 318, rating: 4.5 });
    for (let n = 0; n < 3; n++) await publishRatingEvent(ratingsTopic(), duplicate);
    // One marker after them on the same ordering key: once it is in, all three were handled.
    const marker = event({ userId: duplicate.userId, movieId: 2571, ratedAt: duplicate.ratedAt });
    await publishRatingEvent(ratingsTopic(), marker);
    const user = await until(
      async () => {
        const stored = await readUser(clients.firestore, duplicate.userId);
        return stored?.ratings.get(2571) ? stored : undefined;
      },
      { what: 'the marker in users/{uid}', ...PIPELINE_WAIT },
    );
    expect(user!.ratings.get(318)).toEqual(entryOf(duplicate));
    expect(user!.ratingsCount).toBe(2);
    await until(async () => ((await eventRows(marker.eventId)).events > 0 ? true : undefined), {
      what: 'the marker in BigQuery',
      ...PIPELINE_WAIT,
    });
    expect((await eventRows(duplicate.eventId)).events).toBe(1);
  });

  it('an older event arriving after a newer one changes nothing', async () => {
    const newer = event({ movieId: 1196, rating: 5, ratedAt: '2026-11-23T12:00:00.000Z' });
    const older = event({
      userId: newer.userId,
      movieId: 1196,
      rating: 1,
      ratedAt: '2026-11-23T11:00:00.000Z',
    });
    const marker = event({ userId: newer.userId, movieId: 2571 });
    for (const message of [newer, older, marker]) {
      await publishRatingEvent(ratingsTopic(), message);
    }
    const user = await until(
      async () => {
        const stored = await readUser(clients.firestore, newer.userId);
        return stored?.ratings.get(2571) ? stored : undefined;
      },
      { what: 'the marker in users/{uid}', ...PIPELINE_WAIT },
    );
    expect(user!.ratings.get(1196)).toEqual(entryOf(newer));
    // Stored in the log all the same: the event happened, it is just not the latest.
    await until(async () => ((await eventRows(older.eventId)).events > 0 ? true : undefined), {
      what: 'the older event in BigQuery',
      ...PIPELINE_WAIT,
    });
    expect(await eventRows(older.eventId)).toEqual({ rows: 1, events: 1 });
  });

  it('a malformed message lands on the dead-letter topic with the reason', async () => {
    const subscription = clients.pubsub.subscription(config.deadLetterTopic);
    const received = new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no dead letter within 15 s')), 15_000);
      subscription.on('message', (message: Message) => {
        message.ack();
        if (message.data.toString().includes('not-a-number')) {
          clearTimeout(timer);
          resolve(message);
        }
      });
    });
    await ratingsTopic().publishMessage({
      data: Buffer.from(
        JSON.stringify({
          eventId: randomUUID(),
          userId: 'itest-malformed',
          movieId: 'not-a-number',
          rating: 4,
          ratedAt: '2026-11-23T10:00:00.000Z',
          source: 'site',
        }),
      ),
      orderingKey: 'malformed',
    });
    const letter = await received;
    await subscription.close();
    const reason =
      letter.attributes.deadLetterReason ??
      (JSON.parse(letter.data.toString()) as { reason?: string }).reason;
    expect(reason).toMatch(/movieId/);
  });

  it('npm run retrain publishes a new version that every user document carries', async () => {
    const bucket = clients.storage.bucket(config.modelsBucket);
    const before = await readPointer(bucket);
    const stderr = await retrainWithCli();
    const after = await readPointer(bucket);
    expect(after!.pointer.version).not.toBe(before!.pointer.version);
    expect(stderr).toContain(`new model ${after!.pointer.version} serving`);
    const uids = [...loadedUsers, ...testUsers];
    const users = await clients.firestore.getAll(
      ...uids.map((uid) => clients.firestore.doc(`users/${uid}`)),
    );
    expect(users.map((user) => [user.id, user.get('modelVersion')])).toEqual(
      uids.map((uid) => [uid, after!.pointer.version]),
    );
  }, 180_000);
});
