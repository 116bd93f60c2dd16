import type { Ratings } from '../types.js';

/**
 * Compressed sparse rows: the entries of row r are at positions offsets[r] ≤ n < offsets[r+1],
 * `indices[n]` is the column and `source[n]` the position of that entry in the coordinate
 * arrays it was built from (to gather any per-rating array into this order). Columns are
 * ascending within a row. Every array lives in a SharedArrayBuffer so worker threads read it
 * without a copy.
 */
export interface Csr {
  readonly rowCount: number;
  readonly columnCount: number;
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
  readonly source: Int32Array;
}

/** Both orientations of one set of ratings: rows = users, and rows = items. */
export interface RatingLayout {
  readonly byUser: Csr;
  readonly byItem: Csr;
}

/** A Float64Array of `length` zeros backed by a SharedArrayBuffer. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}

/** A Float32Array of `length` zeros backed by a SharedArrayBuffer. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}

/** An Int32Array of `length` zeros backed by a SharedArrayBuffer. */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

/**
 * Checks that every index is in range, every value finite and no (user, item) pair repeats;
 * throws an error naming the first offending rating otherwise.
 */
export function validateRatings(ratings: Ratings): void {
  const { user, item, value, timestamp, userCount, itemCount } = ratings;
  const n = user.length;
  if (item.length !== n || value.length !== n || (timestamp && timestamp.length !== n)) {
    throw new RangeError(
      `ratings: user, item, value${timestamp ? ' and timestamp' : ''} must have the same length ` +
        `(got ${n}, ${item.length}, ${value.length}${timestamp ? `, ${timestamp.length}` : ''})`,
    );
  }
  for (let r = 0; r < n; r++) {
    const u = user[r]!;
    const i = item[r]!;
    if (!(u >= 0 && u < userCount)) {
      throw new RangeError(`ratings: user[${r}] = ${u} is outside 0..${userCount - 1}`);
    }
    if (!(i >= 0 && i < itemCount)) {
      throw new RangeError(`ratings: item[${r}] = ${i} is outside 0..${itemCount - 1}`);
    }
    if (!Number.isFinite(value[r]!)) {
      throw new RangeError(`ratings: value[${r}] = ${value[r]} is not a finite number`);
    }
    if (timestamp && !Number.isFinite(timestamp[r]!)) {
      throw new RangeError(`ratings: timestamp[${r}] = ${timestamp[r]} is not a finite number`);
    }
  }
}

/**
 * Builds the user-major and item-major layouts of `ratings` with three stable counting sorts
 * (no per-rating objects): by user, then by item (so users ascend within an item), then by
 * user again (so items ascend within a user). Throws if a (user, item) pair appears twice.
 */
export function buildLayout(ratings: Ratings): RatingLayout {
  validateRatings(ratings);
  const { user, item, userCount, itemCount } = ratings;
  const n = user.length;
  const identity = new Int32Array(n);
  for (let r = 0; r < n; r++) identity[r] = r;
  const userOrder = countingSort(identity, user, userCount, false).source;
  const byItem = countingSort(userOrder, item, itemCount, true);
  const byUser = countingSort(byItem.source, user, userCount, true);
  const layout = {
    byUser: {
      ...byUser,
      rowCount: userCount,
      columnCount: itemCount,
      indices: gatherInt(byUser.source, item),
    },
    byItem: {
      ...byItem,
      rowCount: itemCount,
      columnCount: userCount,
      indices: gatherInt(byItem.source, user),
    },
  };
  assertNoDuplicates(layout.byUser);
  return layout;
}

/**
 * A stable counting sort of the positions `order` by `key[position]`: `source` lists them
 * grouped by key, key k's at offsets[k] ≤ p < offsets[k + 1]. Shared: in SharedArrayBuffers.
 */
export function countingSort(
  order: Int32Array,
  key: Int32Array,
  keyCount: number,
  shared: boolean,
): { offsets: Int32Array; source: Int32Array } {
  const n = order.length;
  const offsets = shared ? sharedInt32(keyCount + 1) : new Int32Array(keyCount + 1);
  for (let r = 0; r < n; r++) offsets[key[r]! + 1]!++;
  for (let k = 0; k < keyCount; k++) offsets[k + 1]! += offsets[k]!;
  const next = offsets.slice(0, keyCount);
  const source = shared ? sharedInt32(n) : new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const r = order[p]!;
    source[next[key[r]!]!++] = r;
  }
  return { offsets, source };
}

function gatherInt(source: Int32Array, values: Int32Array): Int32Array {
  const out = sharedInt32(source.length);
  for (let p = 0; p < source.length; p++) out[p] = values[source[p]!]!;
  return out;
}

/** Gathers a per-rating Float32Array into the order of `csr` (shared, for the workers). */
export function gatherFloat32(csr: Csr, values: Float32Array): Float32Array {
  const { source } = csr;
  const out = sharedFloat32(source.length);
  for (let p = 0; p < source.length; p++) out[p] = values[source[p]!]!;
  return out;
}

function assertNoDuplicates(byUser: Csr): void {
  const { offsets, indices, source } = byUser;
  for (let u = 0; u < byUser.rowCount; u++) {
    for (let p = offsets[u]! + 1; p < offsets[u + 1]!; p++) {
      if (indices[p] === indices[p - 1]) {
        throw new RangeError(
          `ratings: user ${u} rated item ${indices[p]} twice (ratings ${source[p - 1]} and ` +
            `${source[p]}); pass one current rating per (user, item) pair`,
        );
      }
    }
  }
}
