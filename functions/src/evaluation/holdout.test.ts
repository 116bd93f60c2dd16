import { describe, expect, it } from 'vitest';
import { holdOut } from './holdout.js';

// Three users: u0 with 10 ratings, u1 with 5, u2 with 2 (too few to evaluate).
const counts = [10, 5, 2];
const rows = counts.flatMap((count, user) =>
  Array.from({ length: count }, (_, n) => ({ user, item: n, time: 1000 - n })),
);
const ratings = {
  userCount: 3,
  itemCount: 10,
  user: Int32Array.from(rows, (r) => r.user),
  item: Int32Array.from(rows, (r) => r.item),
  value: Float32Array.from(rows, () => 4),
  // Later items were rated earlier: the latest ratings are the low item indices.
  timestamp: Float64Array.from(rows, (r) => r.time),
};
const userIds = ['u0', 'u1', 'u2'];

describe('holdOut', () => {
  it('holds out each evaluated user’s latest 20% (at least one), and keeps the rest for training', () => {
    const split = holdOut(ratings, userIds, { minRatings: 5, fraction: 0.2, maxUsers: 10 });
    expect(split.users.map((u) => u.user)).toEqual([0, 1]);
    const [u0, u1] = split.users;
    expect(u0!.heldOut.map((n) => ratings.item[n])).toEqual([1, 0]);
    expect(u1!.heldOut.map((n) => ratings.item[n])).toEqual([0]);
    expect(u0!.train).toHaveLength(8);
    expect(split.train.value).toHaveLength(17 - 3);
    expect(split.train.userCount).toBe(3);
  });

  it('samples the same users whatever the row order, by a hash of the id', () => {
    const one = holdOut(ratings, userIds, { minRatings: 5, fraction: 0.2, maxUsers: 1 });
    const renamed = holdOut(ratings, ['u1', 'u0', 'u2'], {
      minRatings: 5,
      fraction: 0.2,
      maxUsers: 1,
    });
    expect(one.users).toHaveLength(1);
    // The chosen person is the same id under either index.
    expect(userIds[one.users[0]!.user]).toBe(['u1', 'u0', 'u2'][renamed.users[0]!.user]);
  });
});
