import { describe, expect, it } from 'vitest';
import type { RatingsBatch } from '../adapters/bigquery.js';
import { gatherRatings } from './training-data.js';

async function* pages(...batches: RatingsBatch[]) {
  yield* batches;
}

describe('gatherRatings', () => {
  it('maps users by sorted id and movies by ascending id, across pages', async () => {
    const progress: number[] = [];
    const data = await gatherRatings(
      pages(
        {
          userIds: ['b', 'a'],
          movieIds: Int32Array.from([30, 10]),
          ratings: Float32Array.from([4, 3]),
          ratedAtMicros: Float64Array.from([2e15, 1e15]),
        },
        {
          userIds: ['b'],
          movieIds: Int32Array.from([10]),
          ratings: Float32Array.from([5]),
          ratedAtMicros: Float64Array.from([3e15 + 500]),
        },
      ),
      (rows) => progress.push(rows),
    );
    expect(data.userIds).toEqual(['a', 'b']);
    expect(Array.from(data.itemIds)).toEqual([10, 30]);
    expect(Array.from(data.ratings.user)).toEqual([1, 0, 1]);
    expect(Array.from(data.ratings.item)).toEqual([1, 0, 0]);
    expect(Array.from(data.ratings.value)).toEqual([4, 3, 5]);
    expect(Array.from(data.ratings.timestamp)).toEqual([2e9, 1e9, 3e9 + 0.0005]);
    expect(data.trainedThrough).toBe(new Date(3e12).toISOString());
    expect(progress).toEqual([2, 3]);
  });

  it('gives empty ratings and no cut-off for no rows', async () => {
    const data = await gatherRatings(pages());
    expect(data.ratings.value).toHaveLength(0);
    expect(data.trainedThrough).toBeUndefined();
  });
});
