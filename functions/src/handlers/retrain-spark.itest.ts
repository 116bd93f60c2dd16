import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { CloudEventFunction } from '@google-cloud/functions-framework';
import { appendEvents } from '@reel/testing/bigquery';
import { testClients, testConfig } from '@reel/testing/clients';
import {
  localPushEndpoint,
  MODEL_STAGED_TOPIC,
  provisionBigQuery,
  provisionPushSubscriptions,
  provisionTopics,
} from '@reel/testing/provision';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createPublishers,
  createUseCasePorts,
  type DatasetRef,
  readModelManifest,
  readPointer,
  readRetrainStatus,
  userRatingsFields,
} from '../adapters/index.js';
import type { createLocalSparkTrainer } from '../adapters/spark-submit.js';
import { createSparkTrainer } from '../adapters/spark-trainer.js';
import type { RatingEvent } from '../contracts/rating-event.js';
import { createLogger } from '../logging/logger.js';
import { entryOf, UserRatings } from '../ratings/index.js';
import { parseSparkConfig } from '../spark-config.js';
import { SMALL_MODEL_CONFIG, tasteRatings } from '../testing/fixtures.js';
import { push, pushBody, type ServedFunction, serveFunction } from '../testing/serve.js';
import { until } from '../testing/until.js';
import type { SparkTrainer } from '../usecases/ports.js';
import { createRepublishUsers } from './republish-users.js';
import { createRetrainModel } from './retrain-model.js';

/**
 * The Spark path end to end on the emulators: retrainModel submits the job (spark-submit
 * --master local[2] from the venv, over the BigQuery emulator's EXPORT DATA), the job's files
 * land under staging/ in the storage emulator, whose notification on topic model-staged brings
 * them back to retrainModel, which publishes and fans out the republish. Small data: the time is
 * Spark's start and its per-task overhead, not the ratings.
 */
const run = randomUUID().slice(0, 8);
const dataset = `itest_${randomUUID().replaceAll('-', '')}`;
const config = testConfig({
  REEL_DATASET: dataset,
  REEL_MODELS_BUCKET: `itest-spark-${randomUUID()}`,
  REEL_REPUBLISH_TOPIC: `itest-spark-republish-${run}`,
  REEL_REPUBLISH_DEAD_LETTER_TOPIC: `itest-spark-republish-dead-letter-${run}`,
  REEL_REPUBLISH_USERS_PER_SHARD: '25',
});
const clients = testClients(config);
const { bigquery, firestore, storage } = clients;
const log = createLogger(() => {});
const ref: DatasetRef = { project: config.project, dataset };
const bucket = storage.bucket(config.modelsBucket);
// 60 movies in 4 taste clusters: 15 per cluster, enough for 12 ratings of mostly liked movies.
const fixture = tasteRatings({ users: 40, movies: 60, perUser: 12 });
const uidOf = (user: number) => `spark-${run}-${user}`;
const uids = [...new Set(fixture.map((r) => uidOf(r.user)))];
const sparkConfig = parseSparkConfig(inject('emulatorEnv'));
const localTrainer = (() => {
  if (sparkConfig?.kind !== 'local') throw new Error('the test stack sets no local Spark trainer');
  return createSparkTrainer(sparkConfig, clients, config, log) as ReturnType<
    typeof createLocalSparkTrainer
  >;
})();
// A job that fails inside the job: its holdout option is not a number (the job's own error
// handling writes failed.json with the reason).
const failingTrainer: SparkTrainer = {
  submit: (request) =>
    localTrainer.submit({
      ...request,
      holdout: { ...request.holdout, maxUsers: 'all' as unknown as number },
    }),
  state: (batchId) => localTrainer.state(batchId),
};
let trainer: SparkTrainer = localTrainer;
const ports = createUseCasePorts(clients, config, createPublishers(clients.pubsub, config), log, {
  submit: (request) => trainer.submit(request),
  state: (batchId) => trainer.state(batchId),
});
let retrainFunction: ServedFunction;
let republishFunction: ServedFunction;
const SPARK_MS = 15 * 60_000;

async function pushRetrain(data: object) {
  const body = pushBody(data, {}, 'projects/demo-reel/subscriptions/retrain-run');
  expect((await push(retrainFunction.url, body, 'projects/demo-reel/topics/retrain')).status).toBe(
    204,
  );
}

/** The processes of the spark-submit this test process started for `version` (java, python). */
function sparkProcesses(version: string): { pid: number; args: string }[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args! }));
  const found = table.filter((row) => row.ppid === process.pid && row.args.includes(version));
  for (let n = 0; n < found.length; n += 1) {
    found.push(...table.filter((row) => row.ppid === found[n]!.pid));
  }
  return found;
}

async function retrainOnSpark() {
  await pushRetrain({ trainer: 'spark' });
  const submitted = (await readRetrainStatus(bucket)) as { kind: string; version: string };
  expect(submitted).toMatchObject({ kind: 'submitted', trainer: 'spark' });
  expect(await localTrainer.finished(submitted.version)).toBeDefined();
  return until(
    async () => {
      const status = (await readRetrainStatus(bucket)) as {
        kind: string;
        version: string;
        reason?: string;
        stage?: string;
      };
      return status.version === submitted.version && status.kind !== 'submitted'
        ? status
        : undefined;
    },
    { what: 'the publish step after the Spark job', timeoutMs: 120_000, intervalMs: 250 },
  );
}

beforeAll(async () => {
  await provisionBigQuery(bigquery, ref);
  await bucket.create();
  const served = (cloudEvent: CloudEventFunction<unknown>) => serveFunction({ cloudEvent });
  retrainFunction = await served(
    createRetrainModel({
      ports: ports.retrain,
      settings: {
        modelConfig: SMALL_MODEL_CONFIG,
        maxRegression: 1,
        rollbackTargets: config.rollbackTargets,
        sparkAboveRatings: config.sparkAboveRatings,
      },
      modelsBucket: config.modelsBucket,
    }),
  );
  republishFunction = await served(
    createRepublishUsers({ ports: ports.shard, settings: ports.republishSettings }),
  );
  await provisionTopics(
    clients.pubsub,
    [config.republishTopic, config.republishDeadLetterTopic, MODEL_STAGED_TOPIC],
    config.republishDeadLetterTopic,
  );
  await provisionPushSubscriptions(clients.pubsub, config.project, [
    {
      name: `itest-spark-republish-${run}`,
      topic: config.republishTopic,
      pushEndpoint: localPushEndpoint(republishFunction.url, config.project, config.republishTopic),
      ordered: false,
      ackDeadlineSeconds: 60,
      minimumBackoffSeconds: 1,
      maximumBackoffSeconds: 5,
      deadLetter: { topic: config.republishDeadLetterTopic, maxDeliveryAttempts: 5 },
    },
    {
      name: `itest-model-staged-${run}`,
      topic: MODEL_STAGED_TOPIC,
      pushEndpoint: localPushEndpoint(retrainFunction.url, config.project, MODEL_STAGED_TOPIC),
      ordered: false,
      ackDeadlineSeconds: 600,
      minimumBackoffSeconds: 1,
      maximumBackoffSeconds: 10,
    },
  ]);
  const events: RatingEvent[] = fixture.map((r) => ({
    eventId: randomUUID(),
    userId: uidOf(r.user),
    movieId: r.movieId,
    rating: r.rating,
    ratedAt: new Date(r.ratedAt * 1000).toISOString(),
    source: 'import',
  }));
  await appendEvents(clients, ref, events);
  const writer = firestore.bulkWriter();
  for (const uid of uids) {
    const mine = events.filter((event) => event.userId === uid);
    const ratings = UserRatings.of(mine.map(entryOf));
    void writer.set(firestore.collection('users').doc(uid), userRatingsFields(ratings));
  }
  await writer.close();
});

afterAll(async () => {
  for (const name of [`itest-spark-republish-${run}`, `itest-model-staged-${run}`]) {
    await clients.pubsub
      .subscription(name)
      .delete()
      .catch(() => {});
  }
  await retrainFunction?.close();
  await republishFunction?.close();
  await clients.close();
});

let published: string;

describe('a retrain through the Spark trainer (spark-submit local[2], emulators)', () => {
  it(
    'publishes the Spark-trained version, and every user’s recommendations carry it',
    async () => {
      const status = await retrainOnSpark();
      expect(status).toMatchObject({ kind: 'published', trainer: 'spark' });
      published = status.version;
      expect((await readPointer(bucket))?.pointer.version).toBe(published);
      const manifest = (await readModelManifest(bucket, published)) as {
        trainer?: { userStep?: string };
        metrics: { ndcg10?: number };
      };
      expect(manifest.trainer?.userStep).toBe('spark-als-wr');
      expect(manifest.metrics.ndcg10).toBeGreaterThan(0);
      await until(
        async () => {
          const state = await ports.shard.progress.read(published);
          return state && !state.running ? state : undefined;
        },
        { what: `the republish of ${published}`, timeoutMs: 60_000, intervalMs: 200 },
      );
      const documents = await Promise.all(
        uids.map((uid) => firestore.collection('recommendations').doc(uid).get()),
      );
      expect(documents.map((doc) => doc.get('modelVersion'))).toEqual(uids.map(() => published));
      expect(documents.every((doc) => doc.get('basis') === 'personal')).toBe(true);
    },
    SPARK_MS,
  );

  it(
    'leaves the published model serving when the Spark job fails, and records why',
    async () => {
      trainer = failingTrainer;
      const status = await retrainOnSpark();
      expect(status).toMatchObject({ kind: 'failed', stage: 'training on Spark' });
      expect(status.reason).toMatch(/\w/);
      expect((await readPointer(bucket))?.pointer.version).toBe(published);
      const documents = await Promise.all(
        uids.map((uid) => firestore.collection('recommendations').doc(uid).get()),
      );
      expect(documents.map((doc) => doc.get('modelVersion'))).toEqual(uids.map(() => published));
    },
    SPARK_MS,
  );

  it(
    'records a job killed mid-run as failed when the batch is checked, and leaves the model serving',
    async () => {
      trainer = localTrainer;
      await pushRetrain({ trainer: 'spark' });
      const submitted = (await readRetrainStatus(bucket)) as { kind: string; version: string };
      expect(submitted).toMatchObject({ kind: 'submitted', trainer: 'spark' });
      // Killed once the job's Python driver runs: it dies as an OOM-killed or evicted driver
      // does, without writing failed.json.
      const processes = await until(
        async () => {
          const found = sparkProcesses(submitted.version);
          // PythonRunner starts `{venv}/bin/python3 …/train_job.py …` once the JVM is up.
          return found.some((row) => /^\S*\/python3?\s+\S*train_job\.py /.test(row.args))
            ? found
            : undefined;
        },
        { what: 'the Spark job’s Python driver', timeoutMs: 120_000, intervalMs: 200 },
      );
      for (const { pid } of processes) process.kill(pid, 'SIGKILL');
      expect(await localTrainer.finished(submitted.version)).toBe('failed');
      expect(await ports.retrain.models.listStagedVersions()).not.toContain(submitted.version);
      expect(await readRetrainStatus(bucket)).toMatchObject({ kind: 'submitted' });

      await pushRetrain({ check: 'spark' });
      const status = (await readRetrainStatus(bucket)) as { kind: string; reason?: string };
      expect(status).toMatchObject({
        kind: 'failed',
        version: submitted.version,
        stage: 'training on Spark',
        trainer: 'spark',
      });
      expect(status.reason).toMatch(
        /^Spark batch local-\S+ ended FAILED without staging a model: spark-submit was killed by SIGKILL/,
      );
      expect((await readPointer(bucket))?.pointer.version).toBe(published);
    },
    SPARK_MS,
  );
});
