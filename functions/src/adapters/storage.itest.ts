import { randomUUID } from 'node:crypto';
import type { Bucket } from '@google-cloud/storage';
import { testClients } from '@reel/testing/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listModelVersions,
  ModelVersionExistsError,
  movePointer,
  PointerMovedError,
  readModelFiles,
  readPointer,
  writeModelFiles,
} from './storage.js';

const { storage, close } = testClients();
let bucket: Bucket;

beforeAll(async () => {
  [bucket] = await storage.createBucket(`models-${randomUUID()}`);
});
afterAll(close);

const files = (seed: number) =>
  new Map([
    ['manifest.json', new TextEncoder().encode(JSON.stringify({ seed }))],
    ['item-factors.f32', new Uint8Array(new Float32Array([seed, 1.5, -2.25]).buffer)],
  ]);

describe('model files (against fake-gcs-server)', () => {
  it('writes a version and reads the same bytes back', async () => {
    await writeModelFiles(bucket, 'v1', files(1));
    const read = await readModelFiles(bucket, 'v1');
    expect([...read.keys()].sort()).toEqual(['item-factors.f32', 'manifest.json']);
    expect(new Float32Array(read.get('item-factors.f32')!.slice().buffer)).toEqual(
      new Float32Array([1, 1.5, -2.25]),
    );
    expect(new TextDecoder().decode(read.get('manifest.json'))).toBe('{"seed":1}');
  });

  it('never overwrites a written version', async () => {
    await writeModelFiles(bucket, 'v-immutable', files(1));
    await expect(writeModelFiles(bucket, 'v-immutable', files(2))).rejects.toBeInstanceOf(
      ModelVersionExistsError,
    );
    expect(
      new TextDecoder().decode((await readModelFiles(bucket, 'v-immutable')).get('manifest.json')),
    ).toBe('{"seed":1}');
  });

  it('names the version when it has no files', async () => {
    await expect(readModelFiles(bucket, 'missing')).rejects.toThrow(
      `no model files under gs://${bucket.name}/models/missing/`,
    );
  });
});

describe('the current-model pointer', () => {
  it('moves only from the generation it was read at (ifGenerationMatch, 412 otherwise)', async () => {
    expect(await readPointer(bucket)).toBeUndefined();

    const first = await movePointer(
      bucket,
      { version: 'v1', publishedAt: '2026-11-23T10:00:00Z' },
      '0',
    );
    expect(await readPointer(bucket)).toEqual({
      pointer: { version: 'v1', publishedAt: '2026-11-23T10:00:00Z' },
      generation: first,
    });
    // Creating it again as if it did not exist fails: someone published first.
    await expect(
      movePointer(bucket, { version: 'v9', publishedAt: '2026-11-23T10:00:00Z' }, '0'),
    ).rejects.toBeInstanceOf(PointerMovedError);

    const second = await movePointer(
      bucket,
      { version: 'v2', publishedAt: '2026-11-23T11:00:00Z' },
      first,
    );
    expect(second).not.toBe(first);
    // A writer still holding the first generation is refused, and the pointer stays at v2.
    await expect(
      movePointer(bucket, { version: 'v3', publishedAt: '2026-11-23T12:00:00Z' }, first),
    ).rejects.toThrow(`changed since generation ${first}`);
    expect((await readPointer(bucket))?.pointer.version).toBe('v2');
  });

  it('lists the versions in the bucket, for rollback', async () => {
    const own = (await storage.createBucket(`versions-${randomUUID()}`))[0];
    for (const version of ['2026-11-22', '2026-11-23', '2026-11-21']) {
      await writeModelFiles(own, version, files(0));
    }
    await movePointer(own, { version: '2026-11-23', publishedAt: '2026-11-23T00:00:00Z' }, '0');
    expect(await listModelVersions(own)).toEqual(['2026-11-21', '2026-11-22', '2026-11-23']);
  });
});
