import { describe, expect, it } from 'vitest';
import { parseRepublishShard } from './shard-message.js';

describe('parseRepublishShard', () => {
  it('parses each kind of shard', () => {
    const head = { version: '2026-12-06T10-00-00.000Z-abcd1234', serial: 2, shard: 3 };
    expect(parseRepublishShard({ ...head, kind: 'users', uids: ['a', 'b'] })).toEqual({
      ...head,
      kind: 'users',
      uids: ['a', 'b'],
    });
    expect(parseRepublishShard({ ...head, kind: 'movies', from: 0, to: 500 })).toEqual({
      ...head,
      kind: 'movies',
      from: 0,
      to: 500,
    });
    expect(parseRepublishShard({ ...head, kind: 'popular', extra: 1 })).toEqual({
      ...head,
      kind: 'popular',
    });
  });

  it('names what is wrong', () => {
    const head = { version: 'v1', serial: 1, shard: 0 };
    expect(() => parseRepublishShard(null)).toThrow('a republish shard must be a JSON object');
    expect(() => parseRepublishShard({ ...head, version: '../x' })).toThrow(
      'version must be a model version name',
    );
    expect(() => parseRepublishShard({ ...head, serial: -1, kind: 'popular' })).toThrow(
      'serial must be a non-negative integer',
    );
    expect(() => parseRepublishShard({ ...head, kind: 'movies', from: 5, to: 2 })).toThrow(
      'movies need rows from ≤ to',
    );
    expect(() => parseRepublishShard({ ...head, kind: 'users', uids: [''] })).toThrow(
      'uids must be an array of user ids',
    );
    expect(() => parseRepublishShard({ ...head, kind: 'all' })).toThrow(
      'kind must be "users", "movies" or "popular", not "all"',
    );
  });
});
