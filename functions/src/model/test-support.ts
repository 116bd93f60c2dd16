import { Matrix, solve } from 'ml-matrix';
import type { Random, Ratings } from './types.js';

/**
 * Random ratings for tests: every user rates `perUser` distinct items (half stars 0.5..5)
 * at increasing timestamps, some seconds apart and now and then hours apart.
 */
export function randomRatings(
  random: Random,
  userCount: number,
  itemCount: number,
  perUser: number,
): Ratings & { timestamp: Float64Array } {
  const user: number[] = [];
  const item: number[] = [];
  const value: number[] = [];
  const timestamp: number[] = [];
  for (let u = 0; u < userCount; u++) {
    const chosen = new Set<number>();
    let t = 1_500_000_000 + Math.floor(random() * 1e6);
    while (chosen.size < Math.min(perUser, itemCount)) {
      const i = Math.floor(random() ** 2 * itemCount);
      if (chosen.has(i)) continue;
      chosen.add(i);
      user.push(u);
      item.push(i);
      value.push(0.5 * (1 + Math.floor(random() * 10)));
      t += random() < 0.2 ? 7200 : Math.floor(random() * 120);
      timestamp.push(t);
    }
  }
  return {
    userCount,
    itemCount,
    user: Int32Array.from(user),
    item: Int32Array.from(item),
    value: Float32Array.from(value),
    timestamp: Float64Array.from(timestamp),
  };
}

/** x solving A·x = b, by ml-matrix (an independent reference for the hand-written solves). */
export function referenceSolve(a: number[][], b: number[]): number[] {
  return solve(new Matrix(a), Matrix.columnVector(b)).getColumn(0);
}
