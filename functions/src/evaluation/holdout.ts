import type { Ratings } from '../model/index.js';

/** The retrain's evaluation split: who is evaluated, and which of their ratings are held out. */
export interface Holdout {
  /** The ratings the candidate is trained on: everything but the held-out ones. */
  train: Ratings;
  /** Per evaluated user: indices (into the full ratings) of their train and held-out ratings. */
  users: { user: number; train: number[]; heldOut: number[] }[];
}

export interface HoldoutOptions {
  /** Only users with at least this many ratings are evaluated. */
  minRatings: number;
  /** Share of each evaluated user's ratings held out: the latest ones (at least one). */
  fraction: number;
  /** At most this many users, the same ones every run (by a hash of the user id). */
  maxUsers: number;
}

export const DEFAULT_HOLDOUT: HoldoutOptions = { minRatings: 5, fraction: 0.2, maxUsers: 2000 };

/**
 * Protocol T's split, deterministic for the same data: for each evaluated user, ratings sorted
 * by time (then movie index) and the last `fraction` held out. Users are chosen by the FNV-1a
 * hash of their id, so the sample does not depend on row order and stays stable as data grows.
 */
export function holdOut(
  ratings: Ratings & { timestamp: Float64Array },
  userIds: readonly string[],
  options: HoldoutOptions = DEFAULT_HOLDOUT,
): Holdout {
  const byUser: number[][] = Array.from({ length: ratings.userCount }, () => []);
  for (let n = 0; n < ratings.value.length; n++) byUser[ratings.user[n]!]!.push(n);
  const eligible = byUser
    .map((rows, user) => ({ user, rows }))
    .filter(({ rows }) => rows.length >= options.minRatings)
    .sort((a, b) => fnv1a(userIds[a.user]!) - fnv1a(userIds[b.user]!) || a.user - b.user)
    .slice(0, options.maxUsers)
    .sort((a, b) => a.user - b.user);
  const held = new Uint8Array(ratings.value.length);
  const users = eligible.map(({ user, rows }) => {
    const sorted = [...rows].sort(
      (a, b) =>
        ratings.timestamp[a]! - ratings.timestamp[b]! || ratings.item[a]! - ratings.item[b]!,
    );
    const heldCount = Math.max(1, Math.floor(sorted.length * options.fraction));
    const heldOut = sorted.slice(sorted.length - heldCount);
    for (const n of heldOut) held[n] = 1;
    return { user, train: sorted.slice(0, sorted.length - heldCount), heldOut };
  });
  const keep: number[] = [];
  for (let n = 0; n < held.length; n++) if (!held[n]) keep.push(n);
  return {
    train: {
      userCount: ratings.userCount,
      itemCount: ratings.itemCount,
      user: Int32Array.from(keep, (n) => ratings.user[n]!),
      item: Int32Array.from(keep, (n) => ratings.item[n]!),
      value: Float32Array.from(keep, (n) => ratings.value[n]!),
      timestamp: Float64Array.from(keep, (n) => ratings.timestamp[n]!),
    },
    users,
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let n = 0; n < text.length; n++) {
    hash ^= text.charCodeAt(n);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
