import type { Random, Ratings } from '@reel/functions/model';

/** Train and test over the same dense index space (a movie may have no train rating). */
export interface Split {
  readonly train: Ratings;
  readonly test: Ratings;
}

/** Row indices grouped by user (stable: file order within a user). */
export interface UserRows {
  readonly offsets: Int32Array;
  readonly rows: Int32Array;
}

export function rowsByUser(ratings: Ratings): UserRows {
  const count = ratings.user.length;
  const offsets = new Int32Array(ratings.userCount + 1);
  for (let n = 0; n < count; n++) offsets[ratings.user[n] + 1]++;
  for (let u = 0; u < ratings.userCount; u++) offsets[u + 1] += offsets[u];
  const next = offsets.slice(0, ratings.userCount);
  const rows = new Int32Array(count);
  for (let n = 0; n < count; n++) rows[next[ratings.user[n]]++] = n;
  return { offsets, rows };
}

/** The ratings whose `mask` entry equals `keep`, in their original order. */
export function subset(ratings: Ratings, mask: Uint8Array, keep: number): Ratings {
  let count = 0;
  for (let n = 0; n < mask.length; n++) if (mask[n] === keep) count++;
  const user = new Int32Array(count);
  const item = new Int32Array(count);
  const value = new Float32Array(count);
  const timestamp = ratings.timestamp ? new Float64Array(count) : undefined;
  let out = 0;
  for (let n = 0; n < mask.length; n++) {
    if (mask[n] !== keep) continue;
    user[out] = ratings.user[n];
    item[out] = ratings.item[n];
    value[out] = ratings.value[n];
    if (timestamp) timestamp[out] = (ratings.timestamp as Float64Array)[n];
    out++;
  }
  const base = { userCount: ratings.userCount, itemCount: ratings.itemCount, user, item, value };
  return timestamp ? { ...base, timestamp } : base;
}

/**
 * Protocol R: each rating goes to train with probability `trainFraction` (one draw of `random`
 * per rating, in order), the rest to test.
 */
export function randomSplit(ratings: Ratings, trainFraction: number, random: Random): Split {
  const inTest = new Uint8Array(ratings.value.length);
  for (let n = 0; n < inTest.length; n++) inTest[n] = random() < trainFraction ? 0 : 1;
  return { train: subset(ratings, inTest, 0), test: subset(ratings, inTest, 1) };
}

/**
 * Protocol R's cross-validation: a seeded shuffle of the ratings dealt round-robin into `folds`
 * folds (sizes differ by at most one). Returns each rating's fold.
 */
export function assignFolds(count: number, folds: number, random: Random): Uint8Array {
  const order = Int32Array.from({ length: count }, (_, n) => n);
  for (let n = count - 1; n > 0; n--) {
    const m = Math.floor(random() * (n + 1));
    const swap = order[n];
    order[n] = order[m];
    order[m] = swap;
  }
  const fold = new Uint8Array(count);
  for (let p = 0; p < count; p++) fold[order[p]] = p % folds;
  return fold;
}

/** Fold `fold` as test, the others as train. */
export function foldSplit(ratings: Ratings, folds: Uint8Array, fold: number): Split {
  const inTest = Uint8Array.from(folds, (f) => (f === fold ? 1 : 0));
  return { train: subset(ratings, inTest, 0), test: subset(ratings, inTest, 1) };
}

/** How many of a user's `count` ratings Protocol T holds out: the last 20%, at least one. */
export function heldOutCount(count: number, fraction: number): number {
  return Math.max(1, Math.round(fraction * count));
}

/**
 * Protocol T: per user, ratings sorted by timestamp (ties in file order), the last
 * `heldOutCount` of them to test, the rest to train.
 */
export function temporalSplit(ratings: Ratings, fraction = 0.2): Split {
  const { timestamp } = ratings;
  if (!timestamp) {
    throw new Error('the temporal split needs timestamps: load ratings from a file that has them');
  }
  const { offsets, rows } = rowsByUser(ratings);
  const inTest = new Uint8Array(ratings.value.length);
  for (let u = 0; u < ratings.userCount; u++) {
    const mine = Array.from(rows.subarray(offsets[u], offsets[u + 1]));
    if (mine.length === 0) continue;
    mine.sort((a, b) => timestamp[a] - timestamp[b] || a - b);
    const held = heldOutCount(mine.length, fraction);
    for (let p = mine.length - held; p < mine.length; p++) inTest[mine[p]] = 1;
  }
  return { train: subset(ratings, inTest, 0), test: subset(ratings, inTest, 1) };
}
