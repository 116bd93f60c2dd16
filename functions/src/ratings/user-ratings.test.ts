import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BYTES_PER_RATING,
  eventTag,
  MAX_RATINGS_PER_USER,
  type StoredRating,
  UserRatings,
} from './user-ratings.js';

const entry = (movieId: number, rating: number | null, n = movieId): StoredRating => ({
  movieId,
  rating,
  ratedAtMicros: 1_764_000_000_000_000 + n * 1_000_001,
  eventTag: (n * 2_654_435_761) >>> 0,
});

describe('UserRatings', () => {
  it('round-trips entries through the packed bytes, sorted by movie, tombstones kept', () => {
    const ratings = UserRatings.of([entry(318, 5), entry(1, 0.5), entry(4_294_967_295, null)]);
    const bytes = ratings.encode();
    expect(bytes.length).toBe(8 + 3 * BYTES_PER_RATING);
    const decoded = UserRatings.decode(bytes);
    expect([...decoded]).toEqual([entry(1, 0.5), entry(318, 5), entry(4_294_967_295, null)]);
    expect(decoded.size).toBe(3);
    expect(decoded.count).toBe(2);
    expect(decoded.get(318)).toEqual(entry(318, 5));
    expect(decoded.get(2)).toBeUndefined();
  });

  it('decodes from any offset of a larger buffer (as Firestore hands Buffers over)', () => {
    const bytes = UserRatings.of([entry(7, 3.5)]).encode();
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect([...UserRatings.decode(padded.subarray(3))]).toEqual([entry(7, 3.5)]);
  });

  it('treats a missing field as no ratings and refuses bytes it did not write', () => {
    expect(UserRatings.decode(undefined).size).toBe(0);
    const bytes = UserRatings.of([entry(7, 3.5)]).encode();
    expect(() => UserRatings.decode(bytes.subarray(0, bytes.length - 1))).toThrow(
      'packed ratings: 24 bytes for 1 entries, expected 25',
    );
    const future = bytes.slice();
    future[0] = 2;
    expect(() => UserRatings.decode(future)).toThrow('packed ratings: format 2, expected 1');
  });

  it('adds and replaces with `with`, leaving the original as it was', () => {
    const base = UserRatings.of([entry(10, 4), entry(30, 2)]);
    const added = base.with(entry(20, 1)).with(entry(40, 5)).with(entry(5, 3));
    expect([...added].map((e) => e.movieId)).toEqual([5, 10, 20, 30, 40]);
    const replaced = added.with(entry(20, null, 99));
    expect(replaced.get(20)).toEqual(entry(20, null, 99));
    expect(added.get(20)).toEqual(entry(20, 1));
    expect([...base].map((e) => e.movieId)).toEqual([10, 30]);
  });

  it('fits MAX_RATINGS_PER_USER entries in one Firestore document with room to spare', () => {
    const many = UserRatings.of(
      Array.from({ length: MAX_RATINGS_PER_USER }, (_, n) => entry(n + 1, ((n % 10) + 1) / 2)),
    );
    const bytes = many.encode();
    // 1 MiB per document; 16 KiB kept for the document's other fields.
    expect(bytes.length).toBeLessThanOrEqual(1_048_576 - 16_384);
    expect(UserRatings.decode(bytes).count).toBe(MAX_RATINGS_PER_USER);
  });

  it('is exempt from indexing in firestore.indexes.json (one Bytes field, no index entries)', () => {
    const indexes = JSON.parse(
      readFileSync(new URL('../../../firestore.indexes.json', import.meta.url), 'utf8'),
    ) as { fieldOverrides: { collectionGroup: string; fieldPath: string; indexes: unknown[] }[] };
    expect(indexes.fieldOverrides).toContainEqual({
      collectionGroup: 'users',
      fieldPath: 'ratings',
      indexes: [],
    });
  });
});

describe('eventTag', () => {
  it('is the last 8 hex digits of the eventId, case-insensitive', () => {
    expect(eventTag('00000000-0000-4000-8000-0000deadbeef')).toBe(0xdeadbeef);
    expect(eventTag('00000000-0000-4000-8000-0000DEADBEEF')).toBe(0xdeadbeef);
    expect(eventTag('00000000-0000-0000-0000-000000000000')).toBe(0);
  });
});
