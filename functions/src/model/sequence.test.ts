import { describe, expect, it } from 'vitest';
import { itemSuccessors, SEQUENCE_DECAY, SequenceTerm, SUCCESSOR_PRIOR } from './sequence.js';
import type { Ratings } from './types.js';

/** Ratings from per-user sequences of [item, time]; item i is movie 100 + i. */
function ratingsOf(users: Array<Array<[number, number]>>, itemCount: number): Ratings {
  const rows = users.flatMap((seq, u) => seq.map(([item, time]) => ({ u, item, time })));
  return {
    userCount: users.length,
    itemCount,
    user: Int32Array.from(rows, (r) => r.u),
    item: Int32Array.from(rows, (r) => r.item),
    value: Float32Array.from(rows, () => 4),
    timestamp: Float64Array.from(rows, (r) => r.time),
  };
}

const itemIds = Int32Array.from({ length: 5 }, (_, n) => 100 + n);
const config = {
  sequenceWeight: 1,
  sequenceRampRatings: 1,
  sequenceRecent: 2,
  sequenceWindow: 1,
  sequenceKeep: 5,
};

/** Row r's successors as [row, weight] pairs. */
const successorsOf = (s: NonNullable<ReturnType<typeof itemSuccessors>>, row: number) =>
  Array.from(s.items.subarray(s.offsets[row], s.offsets[row + 1]), (item, n) => [
    item,
    s.weights[s.offsets[row] + n],
  ]);

describe('itemSuccessors', () => {
  // Stored out of time order: each person's ratings are ordered by time before counting.
  const ratings = ratingsOf(
    [
      [
        [1, 20],
        [0, 10],
        [2, 30],
      ],
      [
        [0, 5],
        [1, 6],
      ],
      [
        [0, 1],
        [3, 2],
      ],
    ],
    5,
  );

  it('counts what each movie was followed by, most frequent first, over c(r) + the prior', () => {
    const s = itemSuccessors(ratings, itemIds, config)!;
    const w = (count: number, total: number) => Math.fround(count / (total + SUCCESSOR_PRIOR));
    // 0 → 1 twice, 0 → 3 once; 1 → 2 once; 2 and 3 are followed by nothing.
    expect(successorsOf(s, 0)).toEqual([
      [1, w(2, 3)],
      [3, w(1, 3)],
    ]);
    expect(successorsOf(s, 1)).toEqual([[2, w(1, 1)]]);
    expect(successorsOf(s, 2)).toEqual([]);
    expect(Array.from(s.offsets)).toEqual([0, 2, 3, 3, 3, 3]);
  });

  it('looks `sequenceWindow` ratings ahead and keeps `sequenceKeep` per movie, ties to the lower row', () => {
    const wide = itemSuccessors(ratings, itemIds, { ...config, sequenceWindow: 2 })!;
    // The first person's 0 is now followed by 1 and 2.
    expect(successorsOf(wide, 0).map(([row]) => row)).toEqual([1, 2, 3]);
    const kept = itemSuccessors(ratings, itemIds, {
      ...config,
      sequenceWindow: 2,
      sequenceKeep: 2,
    })!;
    expect(successorsOf(kept, 0).map(([row]) => row)).toEqual([1, 2]);
    // c(0) still counts the successor left out.
    expect(successorsOf(kept, 0)[1]![1]).toBe(Math.fround(1 / (4 + SUCCESSOR_PRIOR)));
  });

  it('orders ratings given at the same time by movie id, and needs timestamps', () => {
    const sameTime = ratingsOf(
      [
        [
          [2, 7],
          [4, 7],
          [3, 7],
        ],
      ],
      5,
    );
    const s = itemSuccessors(sameTime, itemIds, config)!;
    expect(successorsOf(s, 2).map(([row]) => row)).toEqual([3]);
    expect(successorsOf(s, 3).map(([row]) => row)).toEqual([4]);
    const { timestamp: _, ...untimed } = sameTime;
    expect(itemSuccessors(untimed, itemIds, config)).toBeUndefined();
  });
});

describe('SequenceTerm', () => {
  const successors = {
    offsets: Int32Array.of(0, 2, 3, 3),
    items: Int32Array.of(1, 2, 2),
    weights: Float64Array.of(0.5, 0.25, 0.125),
  };

  it('sums the successors of the latest movies, each step back scaled by the decay', () => {
    const term = new SequenceTerm(successors);
    // Oldest first: 0, then 1 (the newest, at full weight).
    expect(term.setRecent(Int32Array.of(0, 1))).toBe(true);
    expect(term.score(1)).toBeCloseTo(SEQUENCE_DECAY * 0.5, 15);
    expect(term.score(2)).toBeCloseTo(0.125 + SEQUENCE_DECAY * 0.25, 15);
    expect(term.score(0)).toBe(0);
  });

  it('starts afresh for the next person, and says when nothing follows', () => {
    const term = new SequenceTerm(successors);
    term.setRecent(Int32Array.of(0));
    expect(term.setRecent(Int32Array.of(2))).toBe(false);
    expect([term.score(0), term.score(1), term.score(2)]).toEqual([0, 0, 0]);
    expect(term.setRecent(Int32Array.of(1))).toBe(true);
    expect(term.score(2)).toBe(0.125);
    expect(term.score(1)).toBe(0);
  });
});
