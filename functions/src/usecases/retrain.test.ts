import { beforeEach, describe, expect, it } from 'vitest';
import { SMALL_MODEL_CONFIG, tasteRatings } from '../testing/fixtures.js';
import {
  fixtureRatingsSource,
  MemoryModelStore,
  MemoryProgress,
  MemoryRecords,
  silentLog,
} from '../testing/memory-ports.js';
import type { RepublishRequest, SparkTrainingRequest } from './ports.js';
import { chooseTrainer, type RetrainPorts, requestedTrainer, retrain } from './retrain.js';

const fixture = tasteRatings({ users: 40, movies: 60, perUser: 10 });
const SETTINGS = {
  modelConfig: SMALL_MODEL_CONFIG,
  maxRegression: 0.005,
  rollbackTargets: 3,
  sparkAboveRatings: 1000,
};

let models: MemoryModelStore;
let records: MemoryRecords;
let started: RepublishRequest[];
let submitted: SparkTrainingRequest[];

const ports = (overrides: Partial<RetrainPorts> = {}): RetrainPorts => ({
  ratings: fixtureRatingsSource(fixture),
  models,
  records,
  republish: {
    start: async (request) => {
      started.push(request);
      return { serial: request.serial, shards: 1, users: 40 };
    },
  },
  running: new MemoryProgress(),
  log: silentLog,
  ...overrides,
});

const spark = {
  submit: async (request: SparkTrainingRequest) => {
    submitted.push(request);
    return { batchId: `batch-${submitted.length}` };
  },
};

beforeEach(() => {
  models = new MemoryModelStore();
  models.catalogue = { movieIds: Array.from({ length: 65 }, (_, n) => n + 1) };
  records = new MemoryRecords();
  started = [];
  submitted = [];
});

describe('choosing the trainer', () => {
  const count = (n: number) => async () => n;
  it.each([
    [
      'in-process without a Spark trainer, whatever the size',
      undefined,
      false,
      10 ** 9,
      'in-process',
    ],
    ['Spark above the threshold when one is wired', undefined, true, 1001, 'spark'],
    ['in-process at or below the threshold', undefined, true, 1000, 'in-process'],
    ['what the message asks for', 'in-process', true, 10 ** 9, 'in-process'],
    ['Spark when asked, whatever the size', 'spark', true, 1, 'spark'],
  ] as const)('%s', async (_, requested, wired, ratings, expected) => {
    expect(await chooseTrainer(requested, wired, 1000, count(ratings))).toBe(expected);
  });

  it('refuses Spark when none is configured, and an unknown trainer', async () => {
    await expect(chooseTrainer('spark', false, 1000, count(1))).rejects.toThrow(
      'none is configured',
    );
    expect(() => requestedTrainer({ trainer: 'gpu' })).toThrow('use "in-process" or "spark"');
    expect(requestedTrainer({ trigger: 'schedule' })).toBeUndefined();
    expect(requestedTrainer(undefined)).toBeUndefined();
  });
});

describe('retrain', () => {
  it('trains in-process, stages the files with the candidate’s metrics, and publishes them', async () => {
    const outcome = await retrain(ports(), SETTINGS, {
      messageId: 'm1',
      data: { trigger: 'schedule' },
    });
    expect(outcome.kind).toBe('published');
    const version = (outcome as { version: string }).version;
    expect(models.pointer?.pointer).toMatchObject({ version, serial: 1 });
    const manifest = (await models.readManifest(version)) as { metrics: Record<string, number> };
    expect(manifest.metrics.ndcg10).toBeGreaterThan(0.2);
    expect(Object.keys(manifest.metrics).sort()).toEqual(['evaluatedUsers', 'ndcg10', 'rmse']);
    expect(await models.listStagedVersions()).toEqual([]);
    expect(started).toEqual([{ version, serial: 1 }]);
    expect(records.record).toMatchObject({
      kind: 'published',
      version,
      trainer: 'in-process',
      trigger: { messageId: 'm1', data: { trigger: 'schedule' } },
    });
  });

  it('submits to Spark above the threshold, records the batch and returns at once', async () => {
    const big = {
      countRatings: async () => 1001,
      readRatings: () => {
        throw new Error('the ratings must not pass through the function on the Spark path');
      },
    };
    const outcome = await retrain(ports({ spark, ratings: big }), SETTINGS, { messageId: 'm2' });
    expect(outcome).toMatchObject({ kind: 'submitted', batchId: 'batch-1' });
    expect(submitted).toEqual([
      expect.objectContaining({
        version: (outcome as { version: string }).version,
        modelConfig: SMALL_MODEL_CONFIG,
      }),
    ]);
    expect(records.record).toMatchObject({
      kind: 'submitted',
      trainer: 'spark',
      trigger: { messageId: 'm2' },
    });
    expect(records.record?.finishedAt).toBeUndefined();
    expect(models.pointer).toBeUndefined();
  });

  it('trains in-process when the message says so, even above the threshold', async () => {
    const outcome = await retrain(ports({ spark }), SETTINGS, { data: { trainer: 'in-process' } });
    expect(outcome.kind).toBe('published');
    expect(submitted).toEqual([]);
  });

  it('records a failure and leaves the current model serving when training fails', async () => {
    await retrain(ports(), SETTINGS);
    const serving = models.pointer?.pointer.version;
    const outcome = await retrain(ports(), {
      ...SETTINGS,
      train: () => Promise.reject(new Error('out of memory (injected)')),
    });
    expect(outcome).toEqual({
      kind: 'failed',
      stage: 'training the candidate on the evaluation split',
      reason: 'out of memory (injected)',
    });
    expect(records.record).toMatchObject({ kind: 'failed', trainer: 'in-process' });
    expect(models.pointer?.pointer.version).toBe(serving);
  });

  it('refuses with no ratings, and fails a message asking for an unknown trainer', async () => {
    const empty = { countRatings: async () => 0, async *readRatings() {} };
    expect(await retrain(ports({ ratings: empty }), SETTINGS)).toEqual({
      kind: 'refused',
      reason: 'no ratings in BigQuery yet: load some first',
    });
    expect(await retrain(ports(), SETTINGS, { data: { trainer: 'gpu' } })).toMatchObject({
      kind: 'failed',
      stage: 'choosing the trainer',
    });
    expect(records.record).toMatchObject({ kind: 'failed' });
  });
});
