import { beforeEach, describe, expect, it } from 'vitest';
import { tasteRatings } from '../testing/fixtures.js';
import {
  fixtureModelFiles,
  fixtureUsers,
  MemoryDocuments,
  MemoryLoader,
  MemoryModelStore,
  MemoryProgress,
  MemoryQueue,
  silentLog,
} from '../testing/memory-ports.js';
import type { RepublishStarter } from './ports.js';
import { republishShard, startRepublish } from './republish.js';
import { rollback } from './rollback.js';

const SETTINGS = { usersPerShard: 3, moviesPerShard: 10, topN: 5 };
let models: MemoryModelStore;
let documents: MemoryDocuments;
let progress: MemoryProgress;
let queue: MemoryQueue;
let republish: RepublishStarter;
const users = fixtureUsers(tasteRatings({ users: 9, movies: 48, perUser: 6, seed: 5 }));

beforeEach(async () => {
  models = new MemoryModelStore();
  for (const version of ['v1', 'v2', 'v3'])
    models.published.set(version, await fixtureModelFiles(version));
  documents = new MemoryDocuments();
  for (const [uid, ratings] of users) documents.addUser(uid, ratings);
  progress = new MemoryProgress();
  queue = new MemoryQueue();
  const loader = new MemoryLoader(models);
  republish = {
    start: (request) =>
      startRepublish(
        { directory: documents, queue, progress, models: loader, log: silentLog },
        request,
        SETTINGS,
      ),
  };
});

const shardPorts = () => ({
  pointer: models,
  models: new MemoryLoader(models),
  documents,
  progress,
  log: silentLog,
});

describe('rollback', () => {
  it('moves the pointer to the newest complete older version with the next serial, skipping a broken one, and republishes', async () => {
    await models.movePointer(
      { version: 'v3', publishedAt: '2026-12-01T00:00:00Z', serial: 4 },
      '0',
    );
    models.published.set('v2', new Map([['manifest.json', new TextEncoder().encode('{}')]]));
    const result = await rollback({ models, republish, log: silentLog });
    expect(result).toEqual({
      from: 'v3',
      to: 'v1',
      skipped: [{ version: 'v2', reason: expect.stringContaining('unknown model format') }],
      republish: { serial: 5, shards: 1 + 5 + 3, users: 9 },
    });
    expect(models.pointer?.pointer).toMatchObject({ version: 'v1', serial: 5 });
    await expect(rollback({ models, republish, log: silentLog })).rejects.toThrow(
      'no version older than v1',
    );
  });

  it('rolls back to a named version, and refuses one without files', async () => {
    await models.movePointer(
      { version: 'v3', publishedAt: '2026-12-01T00:00:00Z', serial: 1 },
      '0',
    );
    await expect(rollback({ models, republish, log: silentLog }, { to: 'v0' })).rejects.toThrow(
      'version v0 has no files',
    );
    expect((await rollback({ models, republish, log: silentLog }, { to: 'v1' })).to).toBe('v1');
  });

  it('during a republish, leaves every person on the rolled-back version', async () => {
    await models.movePointer(
      { version: 'v2', publishedAt: '2026-12-01T00:00:00Z', serial: 1 },
      '0',
    );
    await republish.start({ version: 'v2', serial: 1 });
    await models.movePointer(
      { version: 'v3', publishedAt: '2026-12-02T00:00:00Z', serial: 2 },
      models.pointer!.generation,
    );
    await republish.start({ version: 'v3', serial: 2 });
    const v3Shards = queue.drain();
    // Half of v3's shards are through when the rollback to v2 starts.
    const half = Math.ceil(v3Shards.length / 2);
    for (const shard of v3Shards.slice(0, half))
      await republishShard(shardPorts(), shard, SETTINGS);
    const result = await rollback({ models, republish, log: silentLog }, { to: 'v2' });
    expect(result.republish.serial).toBe(3);
    const rollbackShards = queue.drain();
    // The rest of v3's shards and the rollback's arrive interleaved.
    const rest = v3Shards.slice(half);
    for (let n = 0; n < Math.max(rest.length, rollbackShards.length); n++) {
      if (rollbackShards[n]) await republishShard(shardPorts(), rollbackShards[n]!, SETTINGS);
      if (rest[n]) await republishShard(shardPorts(), rest[n]!, SETTINGS);
    }
    expect([...users.keys()].map((uid) => documents.users.get(uid)?.modelVersion)).toEqual(
      [...users.keys()].map(() => 'v2'),
    );
    expect(documents.popular?.modelVersion).toBe('v2');
    expect([...documents.movies.values()].every((movie) => movie.modelVersion === 'v2')).toBe(true);
    expect(await progress.read('v2')).toMatchObject({ serial: 3, running: false, failed: 0 });
    expect(await progress.read('v3')).toMatchObject({ running: false, superseded: rest.length });
  });
});
