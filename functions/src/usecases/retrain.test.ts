import { beforeEach, describe, expect, it } from 'vitest';
import { SMALL_MODEL_CONFIG, tasteRatings } from '../testing/fixtures.js';
import {
  fixtureModelFiles,
  fixtureRatingsSource,
  MemoryModelStore,
  MemoryProgress,
  MemoryRecords,
  silentLog,
} from '../testing/memory-ports.js';
import type { RepublishRequest, SparkBatchState, SparkTrainingRequest } from './ports.js';
import { publishStagedModel } from './publish.js';
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
let batchStates: Map<string, SparkBatchState>;

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
    batchStates.set(`batch-${submitted.length}`, { phase: 'running', state: 'RUNNING' });
    return { batchId: `batch-${submitted.length}` };
  },
  state: async (batchId: string): Promise<SparkBatchState> => {
    const state = batchStates.get(batchId);
    if (!state) throw new Error(`Dataproc is unavailable (injected) for ${batchId}`);
    return state;
  },
};

beforeEach(() => {
  models = new MemoryModelStore();
  models.catalogue = { movieIds: Array.from({ length: 65 }, (_, n) => n + 1) };
  records = new MemoryRecords();
  started = [];
  submitted = [];
  batchStates = new Map();
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
    // Before its files were staged, so that their notification leaves them to this retrain.
    expect(records.written[0]).toMatchObject({ kind: 'training', version, trainer: 'in-process' });
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

describe('a retrain while a Spark batch is in progress', () => {
  const big = {
    countRatings: async () => 1001,
    readRatings: () => {
      throw new Error('the ratings must not pass through the function on the Spark path');
    },
  };
  const submitOne = async () => {
    const outcome = await retrain(ports({ spark, ratings: big }), SETTINGS, { messageId: 'm1' });
    return outcome as { version: string; batchId: string };
  };

  it('is refused while the batch runs, which then publishes with what its retrain recorded', async () => {
    const first = await submitOne();
    const outcome = await retrain(ports({ spark }), SETTINGS, { messageId: 'm2' });
    expect(outcome).toEqual({
      kind: 'refused',
      reason: `${first.version} is still training on Spark (batch batch-1 is RUNNING); a retrain starts once it has published or failed`,
    });
    expect(submitted).toHaveLength(1);
    expect(records.record).toMatchObject({
      kind: 'refused',
      trigger: { messageId: 'm2' },
      pending: { kind: 'submitted', version: first.version, batchId: 'batch-1' },
    });
    // Refused again: the batch is still found through the refusal's record.
    await retrain(ports({ spark }), SETTINGS, { messageId: 'm3' });
    expect(records.record).toMatchObject({ kind: 'refused', pending: { batchId: 'batch-1' } });

    await models.writeStagedFiles(first.version, await fixtureModelFiles(first.version));
    batchStates.set('batch-1', { phase: 'succeeded', state: 'SUCCEEDED' });
    const published = await publishStagedModel(ports(), first.version, SETTINGS, {
      trainer: 'spark',
    });
    expect(published.kind).toBe('published');
    expect(records.record).toMatchObject({
      kind: 'published',
      version: first.version,
      trigger: { messageId: 'm1' },
    });
    expect(records.record?.pending).toBeUndefined();
  });

  it('records a batch that died without staging a model as failed, then goes on', async () => {
    await retrain(ports(), SETTINGS);
    const serving = models.pointer?.pointer.version;
    const first = await submitOne();
    batchStates.set('batch-1', {
      phase: 'ended',
      state: 'FAILED',
      message: 'Driver pod was killed: OOMKilled',
    });
    records.written.length = 0;
    const outcome = await retrain(ports({ spark, ratings: big }), SETTINGS, { messageId: 'm2' });
    expect(records.written[0]).toMatchObject({
      kind: 'failed',
      version: first.version,
      stage: 'training on Spark',
      reason:
        'Spark batch batch-1 ended FAILED without staging a model: Driver pod was killed: OOMKilled',
      trigger: { messageId: 'm1' },
    });
    expect(models.pointer?.pointer.version).toBe(serving);
    expect(outcome).toMatchObject({ kind: 'submitted', batchId: 'batch-2' });
    expect(records.record).toMatchObject({ kind: 'submitted', trigger: { messageId: 'm2' } });
    expect(records.record?.pending).toBeUndefined();
  });

  it('fails, keeping the batch in its record, when the engine cannot say where it is', async () => {
    const first = await submitOne();
    batchStates.clear();
    const outcome = await retrain(ports({ spark }), SETTINGS, { messageId: 'm2' });
    expect(outcome).toEqual({
      kind: 'failed',
      stage: 'checking the Spark batch in progress',
      reason: 'Dataproc is unavailable (injected) for batch-1',
    });
    expect(records.record).toMatchObject({
      kind: 'failed',
      pending: { version: first.version, batchId: 'batch-1' },
    });
    expect(submitted).toHaveLength(1);
  });
});
