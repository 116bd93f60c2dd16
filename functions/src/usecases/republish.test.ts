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
import type { RepublishShard } from './ports.js';
import { republishShard, startRepublish } from './republish.js';

const SETTINGS = { usersPerShard: 4, moviesPerShard: 12, topN: 5 };

let store: MemoryModelStore;
let documents: MemoryDocuments;
let progress: MemoryProgress;
let queue: MemoryQueue;
let loader: MemoryLoader;

const users = fixtureUsers(tasteRatings({ users: 10, movies: 48, perUser: 6, seed: 3 }));

beforeEach(async () => {
  store = new MemoryModelStore();
  store.published.set('v1', await fixtureModelFiles('v1'));
  store.published.set('v2', await fixtureModelFiles('v2'));
  documents = new MemoryDocuments();
  for (const [uid, ratings] of users) documents.addUser(uid, ratings);
  progress = new MemoryProgress();
  queue = new MemoryQueue();
  loader = new MemoryLoader(store);
});

const startPorts = () => ({
  directory: documents,
  queue,
  progress,
  models: loader,
  log: silentLog,
});
const shardPorts = () => ({ pointer: store, models: loader, documents, progress, log: silentLog });

/** Moves the pointer to `version` with `serial`, as a publish or rollback does. */
async function serve(version: string, serial: number) {
  await store.movePointer(
    { version, publishedAt: '2026-12-01T00:00:00Z', serial },
    store.pointer?.generation ?? '0',
  );
}

async function deliverAll(shards: RepublishShard[]) {
  for (const shard of shards) await republishShard(shardPorts(), shard, SETTINGS);
}

const versionsOfUsers = () =>
  [...users.keys()].map((uid) => [
    documents.users.get(uid)?.modelVersion,
    documents.recommendations.get(uid)?.document.modelVersion,
  ]);

describe('startRepublish', () => {
  it('publishes the popularity list, the movies in slices and the people in shards, and records the totals', async () => {
    await serve('v1', 1);
    const started = await startRepublish(startPorts(), { version: 'v1', serial: 1 }, SETTINGS);
    // 10 people in shards of 4: 3 shards; the model's 48 movies in slices of 12: 4.
    expect(started).toEqual({ serial: 1, shards: 8, users: 10 });
    expect(queue.shards.map((shard) => [shard.shard, shard.kind])).toEqual([
      [0, 'popular'],
      [1, 'movies'],
      [2, 'movies'],
      [3, 'movies'],
      [4, 'movies'],
      [5, 'users'],
      [6, 'users'],
      [7, 'users'],
    ]);
    const movieSlices = queue.shards.flatMap((shard) =>
      shard.kind === 'movies' ? [[shard.from, shard.to]] : [],
    );
    expect(movieSlices).toEqual([
      [0, 12],
      [12, 24],
      [24, 36],
      [36, 48],
    ]);
    const people = queue.shards.flatMap((shard) => (shard.kind === 'users' ? shard.uids : []));
    expect(people).toEqual([...users.keys()].sort());
    expect(await progress.read('v1')).toMatchObject({
      serial: 1,
      shards: 8,
      users: 10,
      shardsDone: 0,
      running: true,
    });
  });
});

describe('republishShard', () => {
  it('writes every person, movie and the popularity list on the version, and completes the record', async () => {
    await serve('v1', 1);
    await startRepublish(startPorts(), { version: 'v1', serial: 1 }, SETTINGS);
    await deliverAll(queue.drain());
    expect(versionsOfUsers()).toEqual([...users.keys()].map(() => ['v1', 'v1']));
    expect(documents.users.get('u0')?.modelSerial).toBe(1);
    expect(documents.recommendations.get('u0')?.document.basis).toBe('personal');
    expect(documents.movies.size).toBe(48);
    expect([...documents.movies.values()].every((movie) => movie.modelVersion === 'v1')).toBe(true);
    expect(documents.popular?.modelVersion).toBe('v1');
    expect(await progress.read('v1')).toMatchObject({
      shards: 8,
      shardsDone: 8,
      written: 10 + 48 + 1,
      skipped: 0,
      failed: 0,
      running: false,
    });
    // The fan-out and each shard load the model through the loader (the adapter caches it).
    expect(loader.loads).toBe(1 + 8);
  });

  it('finishes a shard whose first delivery crashed half-way, counting it once', async () => {
    await serve('v1', 1);
    await startRepublish(startPorts(), { version: 'v1', serial: 1 }, SETTINGS);
    const shards = queue.drain();
    const firstUsers = shards.find((shard) => shard.kind === 'users')!;
    documents.crashAtUserWrite = 3;
    await expect(republishShard(shardPorts(), firstUsers, SETTINGS)).rejects.toThrow('crashed');
    const writtenBefore = [...documents.users.values()].filter((u) => u.modelVersion === 'v1');
    expect(writtenBefore.length).toBeGreaterThan(0);
    expect(writtenBefore.length).toBeLessThan(4);
    // Pub/Sub delivers it again, then the rest; and once more for good measure.
    const again = await republishShard(shardPorts(), firstUsers, SETTINGS);
    expect(again).toMatchObject({
      written: 4 - writtenBefore.length,
      skipped: writtenBefore.length,
    });
    await deliverAll(shards);
    expect(versionsOfUsers()).toEqual([...users.keys()].map(() => ['v1', 'v1']));
    expect(await progress.read('v1')).toMatchObject({ shardsDone: 8, running: false });
  });

  it('reads a person again when an ingest changed their documents under it', async () => {
    await serve('v1', 1);
    await startRepublish(startPorts(), { version: 'v1', serial: 1 }, SETTINGS);
    const shard = queue.drain().find((each) => each.kind === 'users')!;
    let touched = 0;
    documents.beforeUserWrite = (uid) => {
      if (uid === 'u0' && touched++ < 2) documents.touchUser(uid);
    };
    const outcome = await republishShard(shardPorts(), shard, SETTINGS);
    expect(touched).toBe(3);
    expect(outcome).toMatchObject({ written: 4, failed: 0 });
    expect(documents.users.get('u0')?.modelVersion).toBe('v1');
  });

  it('fails the shard (for redelivery) when a person keeps changing, writing the others', async () => {
    await serve('v1', 1);
    await startRepublish(startPorts(), { version: 'v1', serial: 1 }, SETTINGS);
    const shard = queue.drain().find((each) => each.kind === 'users')!;
    documents.beforeUserWrite = (uid) => {
      if (uid === 'u0') documents.touchUser(uid);
    };
    await expect(republishShard(shardPorts(), shard, SETTINGS)).rejects.toThrow(
      "1 people's documents kept changing",
    );
    expect(documents.users.get('u1')?.modelVersion).toBe('v1');
    expect((await progress.read('v1'))?.shardsDone).toBe(0);
  });

  it('never lets a shard of an older republish overwrite a newer one', async () => {
    await serve('v1', 1);
    await startRepublish(startPorts(), { version: 'v1', serial: 1 }, SETTINGS);
    const older = queue.drain();
    await serve('v2', 2);
    await startRepublish(startPorts(), { version: 'v2', serial: 2 }, SETTINGS);
    await deliverAll(queue.drain());
    // The pointer has moved on: the older shards are superseded and write nothing.
    await deliverAll(older);
    expect(versionsOfUsers()).toEqual([...users.keys()].map(() => ['v2', 'v2']));
    expect(documents.popular?.modelVersion).toBe('v2');
    expect(await progress.read('v1')).toMatchObject({
      shardsDone: 8,
      superseded: 8,
      written: 0,
      running: false,
    });
  });

  it('skips what a newer republish wrote even when the pointer read was older', async () => {
    await serve('v1', 1);
    await startRepublish(startPorts(), { version: 'v1', serial: 1 }, SETTINGS);
    const older = queue.drain();
    // Shards of serial 2 wrote first, but this instance still sees serial 1's pointer.
    for (const uid of users.keys()) {
      const user = documents.users.get(uid)!;
      Object.assign(user, { modelVersion: 'v2', modelSerial: 2 });
    }
    await documents.writePopular({ items: [], modelVersion: 'v2' }, 2);
    await deliverAll(older);
    expect([...documents.users.values()].every((user) => user.modelVersion === 'v2')).toBe(true);
    expect(documents.popular?.modelVersion).toBe('v2');
    expect(await progress.read('v1')).toMatchObject({ skipped: 11, written: 48 });
  });

  it('counts people without a users document as missing and writes nothing for them', async () => {
    await serve('v1', 1);
    const outcome = await republishShard(
      shardPorts(),
      { version: 'v1', serial: 1, shard: 0, kind: 'users', uids: ['u0', 'nobody'] },
      SETTINGS,
    );
    expect(outcome).toEqual({
      written: 1,
      skipped: 0,
      missing: 1,
      failed: 0,
      superseded: false,
      seconds: expect.any(Number),
    });
    expect(documents.recommendations.has('nobody')).toBe(false);
  });
});
