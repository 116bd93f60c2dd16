import type { RankingConfig } from '../config.js';
import { upperBound } from './sessions.js';

/**
 * Turns one user's ratings into the ranking model's evidence: for each rating a target (1 for
 * a liked movie, 0 for a disliked one) and an evidence weight w ≥ 0 (the cell's confidence is
 * α₀ + w). Ratings at or above the threshold count as positive with weight α·(1 + β·(r − θ));
 * those below as negative with weight α·negativeWeight. Both are scaled by recency: a rating
 * with `age` newer ratings by the same user keeps 2^(−age/halfLife) of its weight, never less
 * than the floor, because what someone watches next looks most like what they watched last.
 *
 * Works on the slice [start, end) of the arrays and writes the same slice of `weights` and
 * `targets`. The trainer calls it per user on the user-major layout and fold-in on the user's
 * ratings sorted by item, so both see the same numbers.
 */
export function rankingEvidence(
  config: RankingConfig,
  values: Float32Array,
  timestamps: Float64Array | undefined,
  start: number,
  end: number,
  weights: Float32Array,
  targets: Float32Array,
  sortedTimes: Float64Array,
): void {
  const { alpha, positiveThreshold, ratingSlope, negativeWeight, recencyHalfLife, recencyFloor } =
    config;
  const count = end - start;
  const halfLife = recencyHalfLife ?? 0;
  const useRecency = timestamps !== undefined && recencyHalfLife !== null && count > 1;
  if (useRecency) {
    for (let q = start; q < end; q++) sortedTimes[q - start] = timestamps[q];
    sortedTimes.subarray(0, count).sort();
  }
  for (let q = start; q < end; q++) {
    const r = values[q];
    let w: number;
    if (r >= positiveThreshold) {
      targets[q] = 1;
      w = alpha * (1 + ratingSlope * (r - positiveThreshold));
    } else {
      targets[q] = 0;
      w = alpha * negativeWeight;
    }
    if (useRecency) {
      const age = count - upperBound(sortedTimes, count, timestamps[q]);
      w *= Math.max(recencyFloor, 2 ** (-age / halfLife));
    }
    weights[q] = w;
  }
}
