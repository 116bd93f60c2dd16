import { describe, expect, it } from 'vitest';
import { fixtureModelFiles, MemoryModelStore, silentLog } from '../testing/memory-ports.js';
import { pruneVersions, versionsToPrune, versionTime } from './prune.js';

describe('versionsToPrune', () => {
  const versions = ['a', 'b', 'c', 'd', 'e', 'f'];
  it.each([
    ['keeps the serving version and the newest older ones', 'e', 2, [], ['b', 'a']],
    ['keeps every version newer than the serving one', 'c', 1, [], ['a']],
    ['keeps a version a running republish reads', 'e', 2, ['a'], ['b']],
    ['keeps nothing older with no rollback targets', 'f', 0, [], ['e', 'd', 'c', 'b', 'a']],
    ['deletes nothing before the first publish', undefined, 0, [], []],
  ] as const)('%s', (_, serving, targets, running, expected) => {
    expect(versionsToPrune(versions, serving, targets, new Set(running))).toEqual(expected);
  });
});

describe('versionTime', () => {
  it('reads the time out of a version name, and nothing out of another name', () => {
    expect(versionTime('2026-11-23T13-45-00.123Z-1a2b3c4d')?.toISOString()).toBe(
      '2026-11-23T13:45:00.123Z',
    );
    expect(versionTime('v1')).toBeUndefined();
  });
});

describe('pruneVersions', () => {
  it('keeps exactly the serving version, its rollback targets, newer ones and running ones; staged ones past the retention go', async () => {
    const models = new MemoryModelStore();
    const names = Array.from(
      { length: 6 },
      (_, n) => `2026-12-0${n + 1}T00-00-00.000Z-0000000${n}`,
    );
    for (const name of names) models.published.set(name, await fixtureModelFiles(name));
    await models.movePointer(
      { version: names[4]!, publishedAt: '2026-12-05T00:00:00Z', serial: 5 },
      '0',
    );
    const staleStaged = '2026-12-01T00-00-00.000Z-99999999';
    const freshStaged = '2026-12-06T11-00-00.000Z-99999999';
    models.staged.set(staleStaged, new Map());
    models.staged.set(freshStaged, new Map());
    const outcome = await pruneVersions(
      { models, running: { runningVersions: async () => [names[0]!] }, log: silentLog },
      { rollbackTargets: 2, now: () => new Date('2026-12-06T12:00:00Z') },
    );
    expect(outcome).toEqual({
      serving: names[4],
      kept: [names[0], names[2], names[3], names[4], names[5]],
      deleted: [names[1]],
      deletedStaged: [staleStaged],
    });
    expect(await models.listVersions()).toEqual(outcome.kept);
    expect(await models.listStagedVersions()).toEqual([freshStaged]);
  });
});
