/**
 * Rating sessions: a person's ratings split wherever they paused for longer than `gap`
 * seconds. Sessions are numbered in time order from `firstSession`; ratings with equal
 * timestamps always share a session.
 *
 * Writes the session of each rating of the slice [start, end) to `out` and returns how many
 * sessions there are. `sortedTimes` is work space of at least end − start values. The trainer
 * calls it per user on the user-major layout, fold-in on the user's ratings, so both agree.
 */
export function assignSessions(
  timestamps: Float64Array,
  start: number,
  end: number,
  gap: number,
  firstSession: number,
  out: Int32Array,
  sortedTimes: Float64Array,
): number {
  const count = end - start;
  if (count === 0) return 0;
  const sorted = sortedTimes.subarray(0, count);
  sorted.set(timestamps.subarray(start, end));
  sorted.sort();
  // Compact the sorted times into the start time of each session, in place.
  let sessions = 1;
  let previous = sorted[0];
  for (let n = 1; n < count; n++) {
    const t = sorted[n];
    if (t - previous > gap) sorted[sessions++] = t;
    previous = t;
  }
  for (let q = start; q < end; q++) {
    out[q] = firstSession + upperBound(sorted, sessions, timestamps[q]) - 1;
  }
  return sessions;
}

/** The number of the first `count` sorted values that are ≤ t. */
export function upperBound(sorted: Float64Array, count: number, t: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
