import { beforeEach, describe, expect, it } from 'vitest';
import { stagedEventOf } from '../messages/staged-notification.js';
import {
  fixtureModelFiles,
  MemoryModelStore,
  MemoryProgress,
  MemoryRecords,
  silentLog,
} from '../testing/memory-ports.js';
import type { PublishPorts } from './publish.js';
import { onStagedObject } from './staged.js';

let models: MemoryModelStore;
let records: MemoryRecords;
let ports: PublishPorts;
const SETTINGS = {
  maxRegression: 0.01,
  rollbackTargets: 2,
  now: () => new Date('2026-12-06T12:00:00Z'),
};
const finalize = (objectId: string) =>
  stagedEventOf(
    { eventType: 'OBJECT_FINALIZE', objectId, bucketId: 'demo-reel-models' },
    'demo-reel-models',
  );

beforeEach(async () => {
  models = new MemoryModelStore();
  records = new MemoryRecords();
  ports = {
    models,
    records,
    republish: { start: async (request) => ({ serial: request.serial, shards: 1, users: 1 }) },
    running: new MemoryProgress(),
    log: silentLog,
  };
  await records.write({
    kind: 'submitted',
    version: 's1',
    batchId: 'b1',
    trainer: 'spark',
    startedAt: '2026-12-06T03:00:00Z',
  });
});

describe('a Spark job’s staged objects', () => {
  it('publish the version when its manifest arrives, keeping what the retrain recorded', async () => {
    await models.writeStagedFiles('s1', await fixtureModelFiles('s1', { ndcg10: 0.3 }));
    const outcome = await onStagedObject(ports, SETTINGS, finalize('staging/s1/manifest.json'));
    expect(outcome.kind).toBe('published');
    expect(models.pointer?.pointer.version).toBe('s1');
    expect(records.record).toMatchObject({
      kind: 'published',
      version: 's1',
      trainer: 'spark',
      startedAt: '2026-12-06T03:00:00Z',
    });
  });

  it('record the job’s failure and leave the serving model, when its failed.json arrives', async () => {
    await models.writeStagedFiles('v0', await fixtureModelFiles('v0', { ndcg10: 0.3 }));
    await onStagedObject(ports, SETTINGS, finalize('staging/v0/manifest.json'));
    await records.write({ kind: 'submitted', version: 's1', batchId: 'b1', trainer: 'spark' });
    const reason = 'Py4JJavaError: java.lang.OutOfMemoryError: Java heap space';
    await models.writeStagedFiles(
      's1',
      new Map([
        ['failed.json', new TextEncoder().encode(JSON.stringify({ version: 's1', reason }))],
      ]),
    );
    const outcome = await onStagedObject(ports, SETTINGS, finalize('staging/s1/failed.json'));
    expect(outcome).toEqual({ kind: 'failed', version: 's1', stage: 'training on Spark', reason });
    expect(records.record).toMatchObject({
      kind: 'failed',
      version: 's1',
      trainer: 'spark',
      reason,
    });
    expect(models.pointer?.pointer.version).toBe('v0');
    expect(await models.listStagedVersions()).toEqual([]);
  });

  it('do nothing for a version already handled (a redelivered notification)', async () => {
    await models.writeStagedFiles('s1', await fixtureModelFiles('s1', { ndcg10: 0.3 }));
    await onStagedObject(ports, SETTINGS, finalize('staging/s1/manifest.json'));
    const again = await onStagedObject(ports, SETTINGS, finalize('staging/s1/manifest.json'));
    expect(again).toEqual({ kind: 'ignored', reason: 's1 is already published' });
    expect(records.record?.kind).toBe('published');
  });

  it('ignore the other files of a version', async () => {
    const outcome = await onStagedObject(
      ports,
      SETTINGS,
      finalize('staging/s1/item-rating-counts.i32'),
    );
    expect(outcome.kind).toBe('ignored');
    expect(records.record?.kind).toBe('submitted');
  });

  it('leave an in-process retrain’s staged version to that retrain', async () => {
    await records.write({ kind: 'training', version: 'p1', trainer: 'in-process' });
    await models.writeStagedFiles('p1', await fixtureModelFiles('p1', { ndcg10: 0.3 }));
    const outcome = await onStagedObject(ports, SETTINGS, finalize('staging/p1/manifest.json'));
    expect(outcome).toEqual({ kind: 'ignored', reason: 'p1 is already training' });
    expect(models.pointer).toBeUndefined();
  });
});
