import { describe, expect, it } from 'vitest';
import type { Ratings } from '../types.js';
import { buildLayout, gatherFloat32 } from './rating-layout.js';

const ratings: Ratings = {
  userCount: 3,
  itemCount: 4,
  user: Int32Array.of(2, 0, 1, 0, 2, 0),
  item: Int32Array.of(1, 3, 1, 0, 0, 2),
  value: Float32Array.of(1, 2, 3, 4, 5, 6),
};

describe('buildLayout', () => {
  it('groups ratings by user with items ascending, and by item with users ascending', () => {
    const { byUser, byItem } = buildLayout(ratings);
    expect(Array.from(byUser.offsets)).toEqual([0, 3, 4, 6]);
    expect(Array.from(byUser.indices)).toEqual([0, 2, 3, 1, 0, 1]);
    expect(Array.from(gatherFloat32(byUser, ratings.value))).toEqual([4, 6, 2, 3, 5, 1]);
    expect(Array.from(byItem.offsets)).toEqual([0, 2, 4, 5, 6]);
    expect(Array.from(byItem.indices)).toEqual([0, 2, 1, 2, 0, 0]);
    expect(Array.from(gatherFloat32(byItem, ratings.value))).toEqual([4, 5, 3, 1, 6, 2]);
    expect(byUser.offsets.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('rejects a repeated (user, item) pair, naming both ratings', () => {
    const twice = {
      ...ratings,
      user: Int32Array.of(2, 0, 1, 0, 2, 0),
      item: Int32Array.of(1, 3, 1, 3, 0, 2),
    };
    expect(() => buildLayout(twice)).toThrow(
      'ratings: user 0 rated item 3 twice (ratings 1 and 3); pass one current rating per (user, item) pair',
    );
  });

  it('rejects indices out of range, non-finite values and mismatched lengths', () => {
    expect(() => buildLayout({ ...ratings, item: Int32Array.of(1, 3, 1, 4, 0, 2) })).toThrow(
      'ratings: item[3] = 4 is outside 0..3',
    );
    expect(() =>
      buildLayout({ ...ratings, value: Float32Array.of(1, 2, Number.NaN, 4, 5, 6) }),
    ).toThrow('ratings: value[2] = NaN is not a finite number');
    expect(() => buildLayout({ ...ratings, value: Float32Array.of(1) })).toThrow(
      'ratings: user, item, value must have the same length (got 6, 6, 1)',
    );
  });
});
