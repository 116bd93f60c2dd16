import { mulberry32 } from '@reel/functions/model';
import { describe, expect, it } from 'vitest';
import { assignFolds, foldSplit, heldOutCount, randomSplit, temporalSplit } from './splits.js';

function ratingsOf(rows: [number, number, number, number][]) {
  return {
    userCount: Math.max(...rows.map((r) => r[0])) + 1,
    itemCount: Math.max(...rows.map((r) => r[1])) + 1,
    user: Int32Array.from(rows, (r) => r[0]),
    item: Int32Array.from(rows, (r) => r[1]),
    value: Float32Array.from(rows, (r) => r[2]),
    timestamp: Float64Array.from(rows, (r) => r[3]),
  };
}

const MANY = ratingsOf(
  Array.from({ length: 1000 }, (_, n) => [n % 10, Math.floor(n / 10), 1 + (n % 5), n]),
);

describe('randomSplit', () => {
  it('partitions the ratings, about 80/20, the same for the same seed', () => {
    const split = randomSplit(MANY, 0.8, mulberry32(42));
    const again = randomSplit(MANY, 0.8, mulberry32(42));
    expect(again).toEqual(split);
    expect(split.train.value.length + split.test.value.length).toBe(1000);
    expect(split.train.value.length).toBeGreaterThan(760);
    expect(split.train.value.length).toBeLessThan(840);
    expect(split.train.userCount).toBe(10);
    expect(split.test.itemCount).toBe(100);
    const keys = (r: typeof split.train) => Array.from(r.user, (u, n) => u * 1000 + r.item[n]);
    expect(new Set([...keys(split.train), ...keys(split.test)]).size).toBe(1000);
    expect(randomSplit(MANY, 0.8, mulberry32(43)).test).not.toEqual(split.test);
  });
});

describe('assignFolds', () => {
  it('deals every rating to one of k folds of equal size', () => {
    const folds = assignFolds(1003, 5, mulberry32(1));
    const sizes = [0, 0, 0, 0, 0];
    for (const f of folds) sizes[f]++;
    expect(sizes).toEqual([201, 201, 201, 200, 200]);
    const split = foldSplit(MANY, assignFolds(1000, 5, mulberry32(1)), 2);
    expect(split.test.value.length).toBe(200);
    expect(split.train.value.length).toBe(800);
  });
});

describe('temporalSplit', () => {
  it('holds out the last 20% of each user by time, at least one', () => {
    expect([1, 2, 4, 5, 7, 8, 10, 22, 23].map((n) => heldOutCount(n, 0.2))).toEqual([
      1, 1, 1, 1, 1, 2, 2, 4, 5,
    ]);
    // User 0: 10 ratings given in reverse file order; user 1: one rating; user 2: a tie.
    const rows: [number, number, number, number][] = [];
    for (let n = 0; n < 10; n++) rows.push([0, n, 3, 100 - n]);
    rows.push([1, 0, 4, 5]);
    rows.push([2, 0, 4, 9], [2, 1, 4, 9], [2, 2, 4, 1]);
    const split = temporalSplit(ratingsOf(rows));
    const testOf = (u: number) =>
      [...split.test.item].filter((_, n) => split.test.user[n] === u).sort((a, b) => a - b);
    // The newest two of user 0 are items 0 and 1 (timestamps 100 and 99).
    expect(testOf(0)).toEqual([0, 1]);
    expect(testOf(1)).toEqual([0]);
    // Equal timestamps keep file order, so item 1 (the later line) is the last.
    expect(testOf(2)).toEqual([1]);
    expect(split.train.value.length + split.test.value.length).toBe(rows.length);
    for (let n = 0; n < split.train.value.length; n++) {
      const u = split.train.user[n];
      const newestTrain = split.train.timestamp?.[n] ?? 0;
      for (let m = 0; m < split.test.value.length; m++) {
        if (split.test.user[m] === u) {
          expect(split.test.timestamp?.[m]).toBeGreaterThanOrEqual(newestTrain);
        }
      }
    }
  });

  it('needs timestamps', () => {
    const { timestamp: _, ...untimed } = ratingsOf([[0, 0, 1, 1]]);
    expect(() => temporalSplit(untimed)).toThrow(/needs timestamps/);
  });
});
