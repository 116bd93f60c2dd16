import { beforeEach, describe, expect, it } from 'vitest';
import {
  fixtureModelFiles,
  MemoryModelStore,
  MemoryProgress,
  MemoryRecords,
  silentLog,
} from '../testing/memory-ports.js';
import type { RepublishRequest } from './ports.js';
import { publishStagedModel } from './publish.js';

let models: MemoryModelStore;
let records: MemoryRecords;
let started: RepublishRequest[];
let ports: Parameters<typeof publishStagedModel>[0];

const SETTINGS = {
  maxRegression: 0.01,
  rollbackTargets: 2,
  now: () => new Date('2026-12-06T12:00:00Z'),
};

beforeEach(() => {
  models = new MemoryModelStore();
  records = new MemoryRecords();
  started = [];
  ports = {
    models,
    records,
    republish: {
      start: async (request) => {
        started.push(request);
        return { serial: request.serial, shards: 3, users: 10 };
      },
    },
    running: new MemoryProgress(),
    log: silentLog,
  };
});

async function stage(version: string, ndcg10: number) {
  await models.writeStagedFiles(
    version,
    await fixtureModelFiles(version, { ndcg10, rmse: 0.9, evaluatedUsers: 7 }),
  );
}

describe('publishStagedModel', () => {
  it('publishes a staged version: files moved under models/, pointer moved with the next serial, republish started', async () => {
    await stage('v1', 0.3);
    const outcome = await publishStagedModel(ports, 'v1', SETTINGS, {
      trigger: { messageId: 'm1' },
    });
    expect(outcome).toEqual({
      kind: 'published',
      version: 'v1',
      candidate: { ndcg10: 0.3, rmse: 0.9, users: 7 },
      republish: { serial: 1, shards: 3, users: 10 },
    });
    expect(models.pointer?.pointer).toMatchObject({ version: 'v1', serial: 1 });
    expect(await models.listVersions()).toEqual(['v1']);
    expect(await models.listStagedVersions()).toEqual([]);
    expect(started).toEqual([{ version: 'v1', serial: 1 }]);
    expect(records.record).toMatchObject({
      kind: 'published',
      version: 'v1',
      trigger: { messageId: 'm1' },
      finishedAt: '2026-12-06T12:00:00.000Z',
    });

    await stage('v2', 0.295);
    const second = await publishStagedModel(ports, 'v2', SETTINGS);
    expect(second).toMatchObject({
      kind: 'published',
      previous: 'v1',
      current: { version: 'v1', ndcg10: 0.3 },
    });
    expect(models.pointer?.pointer).toMatchObject({ version: 'v2', serial: 2 });
  });

  it('refuses a candidate below the serving model’s recorded NDCG@10 by more than the margin', async () => {
    await stage('v1', 0.3);
    await publishStagedModel(ports, 'v1', SETTINGS);
    await stage('v2', 0.28);
    const outcome = await publishStagedModel(ports, 'v2', SETTINGS);
    expect(outcome).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(
        /^candidate NDCG@10 0\.2800 is below the 0\.3000 the current model v1 scored when it was trained, by more than 0\.01/,
      ),
    });
    expect(models.pointer?.pointer.version).toBe('v1');
    expect(await models.listVersions()).toEqual(['v1']);
    expect(started).toHaveLength(1);
  });

  it('fails on a staged version whose files do not match their manifest, leaving the current model serving', async () => {
    await stage('v1', 0.3);
    await publishStagedModel(ports, 'v1', SETTINGS);
    const files = await fixtureModelFiles('v2', { ndcg10: 0.4 });
    files.set(
      'ranking-item-weights.f32',
      new Uint8Array(files.get('ranking-item-weights.f32')!.length),
    );
    await models.writeStagedFiles('v2', files);
    const outcome = await publishStagedModel(ports, 'v2', SETTINGS);
    expect(outcome).toMatchObject({
      kind: 'failed',
      stage: 'checking the staged files',
      reason: expect.stringContaining('ranking-item-weights.f32 fails its checksum'),
    });
    expect(records.record).toMatchObject({ kind: 'failed', version: 'v2' });
    expect(models.pointer?.pointer.version).toBe('v1');
  });

  it('fails when nothing is staged under the version', async () => {
    const outcome = await publishStagedModel(ports, 'v9', SETTINGS);
    expect(outcome).toMatchObject({ kind: 'failed', stage: 'checking the staged files' });
    expect(models.pointer).toBeUndefined();
  });

  it('lets only one of two racing publishes move the pointer (the conditional move)', async () => {
    await stage('v1', 0.3);
    await publishStagedModel(ports, 'v1', SETTINGS);
    await stage('v2', 0.31);
    await stage('v3', 0.32);
    // Both read the pointer at v1's generation before either moves it.
    const outcomes = await Promise.all([
      publishStagedModel(ports, 'v2', SETTINGS),
      publishStagedModel(ports, 'v3', SETTINGS),
    ]);
    const kinds = outcomes.map((outcome) => outcome.kind).sort();
    expect(kinds).toEqual(['failed', 'published']);
    const lost = outcomes.find((outcome) => outcome.kind === 'failed')!;
    expect(lost).toMatchObject({
      stage: 'moving the pointer',
      reason: expect.stringContaining('changed since generation'),
    });
    const won = outcomes.find((outcome) => outcome.kind === 'published')!;
    expect(models.pointer?.pointer).toMatchObject({ version: won.version, serial: 2 });
    expect(started.map((request) => request.serial)).toEqual([1, 2]);
  });

  it('carries the trainer’s record of the version (trigger, start) into its own', async () => {
    await records.write({
      kind: 'submitted',
      version: 'v1',
      batchId: 'b1',
      trainer: 'spark',
      trigger: { messageId: 'm7' },
      startedAt: '2026-12-06T11:00:00.000Z',
    });
    await stage('v1', 0.3);
    await publishStagedModel(ports, 'v1', SETTINGS);
    expect(records.record).toMatchObject({
      kind: 'published',
      trainer: 'spark',
      trigger: { messageId: 'm7' },
      startedAt: '2026-12-06T11:00:00.000Z',
    });
  });

  it('prunes versions beyond the rollback targets once the new one serves', async () => {
    for (const [n, version] of ['v1', 'v2', 'v3', 'v4'].entries()) {
      await stage(version, 0.3 + n * 0.01);
      await publishStagedModel(ports, version, SETTINGS);
    }
    expect(records.record).toMatchObject({ kind: 'published', version: 'v4', pruned: ['v1'] });
    expect(await models.listVersions()).toEqual(['v2', 'v3', 'v4']);
  });
});
