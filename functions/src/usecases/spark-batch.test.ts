import { beforeEach, describe, expect, it } from 'vitest';
import {
  fixtureModelFiles,
  MemoryModelStore,
  MemoryProgress,
  MemoryRecords,
  silentLog,
} from '../testing/memory-ports.js';
import type { SparkBatchState, SparkTrainer } from './ports.js';
import {
  batchInProgress,
  checkSparkBatch,
  isSparkCheck,
  type SparkBatchPorts,
} from './spark-batch.js';

let models: MemoryModelStore;
let records: MemoryRecords;
let states: Map<string, SparkBatchState>;
let asked: string[];
const SETTINGS = {
  maxRegression: 0.01,
  rollbackTargets: 2,
  now: () => new Date('2026-12-06T12:00:00Z'),
};
const spark: SparkTrainer = {
  submit: async () => {
    throw new Error('a check submits nothing');
  },
  state: async (batchId) => {
    asked.push(batchId);
    const state = states.get(batchId);
    if (!state) throw new Error(`no state for ${batchId} in this test`);
    return state;
  },
};
const ports = (): SparkBatchPorts => ({
  models,
  records,
  republish: { start: async (request) => ({ serial: request.serial, shards: 1, users: 1 }) },
  running: new MemoryProgress(),
  log: silentLog,
  spark,
});

beforeEach(async () => {
  models = new MemoryModelStore();
  records = new MemoryRecords();
  states = new Map();
  asked = [];
  await models.writeStagedFiles('v0', await fixtureModelFiles('v0', { ndcg10: 0.3 }));
  await models.promoteStaged('v0');
  await models.movePointer({ version: 'v0', publishedAt: '2026-12-05T03:00:00Z', serial: 1 }, '0');
  await models.deleteStaged('v0');
  await records.write({
    kind: 'submitted',
    version: 's1',
    batchId: 'reel-s1',
    trainer: 'spark',
    trigger: { messageId: 'm1' },
    startedAt: '2026-12-06T03:00:00Z',
  });
  records.written.length = 0;
});

describe('checking the Spark batch in progress', () => {
  it('records a batch that ended without staging a model as failed, with the engine’s reason', async () => {
    states.set('reel-s1', {
      phase: 'ended',
      state: 'CANCELLED',
      message: 'Batch exceeded its TTL of 4h and was cancelled',
    });
    // What it wrote before it was cancelled is not a model.
    await models.writeStagedFiles('s1', new Map([['ranking-item-factors.f32', new Uint8Array(8)]]));
    const check = await checkSparkBatch(ports(), SETTINGS);
    const reason =
      'Spark batch reel-s1 ended CANCELLED without staging a model: Batch exceeded its TTL of 4h and was cancelled';
    expect(check).toMatchObject({ kind: 'failed', reason });
    expect(records.record).toEqual({
      kind: 'failed',
      version: 's1',
      trainer: 'spark',
      stage: 'training on Spark',
      reason,
      trigger: { messageId: 'm1' },
      startedAt: '2026-12-06T03:00:00Z',
      finishedAt: '2026-12-06T12:00:00.000Z',
    });
    expect(models.pointer?.pointer.version).toBe('v0');
    expect(await models.listStagedVersions()).toEqual([]);
  });

  it('adds the job’s own reason when it staged a failed.json', async () => {
    states.set('reel-s1', { phase: 'ended', state: 'FAILED', message: 'Job failed' });
    const own = 'Py4JJavaError: java.lang.OutOfMemoryError: Java heap space';
    await models.writeStagedFiles(
      's1',
      new Map([['failed.json', new TextEncoder().encode(JSON.stringify({ reason: own }))]]),
    );
    const check = await checkSparkBatch(ports(), SETTINGS);
    expect(check).toMatchObject({
      kind: 'failed',
      reason: `Spark batch reel-s1 ended FAILED without staging a model: Job failed; the job's failed.json says: ${own}`,
    });
  });

  it.each([
    ['running', { phase: 'running', state: 'PENDING' }],
    ['succeeded', { phase: 'succeeded', state: 'SUCCEEDED' }],
  ] as const)('leaves a %s batch to its notification', async (kind, state) => {
    states.set('reel-s1', state);
    const check = await checkSparkBatch(ports(), SETTINGS);
    expect(check).toMatchObject({ kind, state: state.state, batch: { version: 's1' } });
    expect(records.written).toEqual([]);
  });

  it('asks nothing when no batch is in progress, or no Spark trainer is wired', async () => {
    await records.write({ kind: 'published', version: 'v0' } as never);
    expect(await checkSparkBatch(ports(), SETTINGS)).toEqual({ kind: 'none' });
    await records.write({ kind: 'submitted', version: 's2', batchId: 'reel-s2' });
    expect(await checkSparkBatch({ ...ports(), spark: undefined }, SETTINGS)).toEqual({
      kind: 'none',
    });
    expect(asked).toEqual([]);
  });

  it('finds the batch a refused retrain kept pending', async () => {
    const submitted = batchInProgress(await records.read());
    await records.write({ kind: 'refused', reason: 'still training', pending: submitted });
    states.set('reel-s1', { phase: 'ended', state: 'FAILED', message: 'executor lost' });
    expect(await checkSparkBatch(ports(), SETTINGS)).toMatchObject({ kind: 'failed' });
    expect(records.record).toMatchObject({
      kind: 'failed',
      version: 's1',
      trigger: { messageId: 'm1' },
    });
    expect(records.record?.pending).toBeUndefined();
  });
});

describe('a check message', () => {
  it.each([
    [{ check: 'spark' }, true],
    [{ check: 'other' }, false],
    [{ trainer: 'spark' }, false],
    [undefined, false],
    [null, false],
  ])('%j asks for a check: %s', (data, expected) => {
    expect(isSparkCheck(data)).toBe(expected);
  });
});
