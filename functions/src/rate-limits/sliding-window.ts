/**
 * The sliding-window counter of a rate limit: the requests of the current fixed window plus
 * the previous window's, weighted by how much of it still lies within the last window length.
 * Two counters per key instead of a log of timestamps, and no burst of twice the limit at a
 * window boundary as a fixed window allows.
 */
export interface WindowCounts {
  /** Requests counted in the previous window. */
  previous: number;
  /** Requests counted in the current window so far. */
  current: number;
}

/** Which window `nowMs` falls in, and how far into it (0 ≤ fraction < 1). */
export function windowAt(nowMs: number, windowMs: number): { index: number; fraction: number } {
  const index = Math.floor(nowMs / windowMs);
  return { index, fraction: (nowMs - index * windowMs) / windowMs };
}

/** Whether one more request stays within `limit` over the sliding window. */
export function slidingWindowAllows(
  counts: WindowCounts,
  fraction: number,
  limit: number,
): boolean {
  const estimate = counts.previous * (1 - fraction) + counts.current;
  return estimate + 1 <= limit;
}
