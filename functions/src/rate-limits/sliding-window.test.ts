import { describe, expect, it } from 'vitest';
import { slidingWindowAllows, windowAt } from './sliding-window.js';

describe('windowAt', () => {
  it('names the window and the fraction of it elapsed', () => {
    expect(windowAt(125_000, 60_000)).toEqual({ index: 2, fraction: 5_000 / 60_000 });
    expect(windowAt(120_000, 60_000)).toEqual({ index: 2, fraction: 0 });
  });
});

describe('slidingWindowAllows', () => {
  it('allows up to the limit within one window', () => {
    expect(slidingWindowAllows({ previous: 0, current: 9 }, 0.5, 10)).toBe(true);
    expect(slidingWindowAllows({ previous: 0, current: 10 }, 0.5, 10)).toBe(false);
  });

  it('counts the previous window by the share of it still inside the last window length', () => {
    // Just after a boundary, a full previous window still counts almost fully.
    expect(slidingWindowAllows({ previous: 10, current: 0 }, 0.05, 10)).toBe(false);
    // Half-way, half of it: 5 + 4 + 1 ≤ 10.
    expect(slidingWindowAllows({ previous: 10, current: 4 }, 0.5, 10)).toBe(true);
    expect(slidingWindowAllows({ previous: 10, current: 5 }, 0.5, 10)).toBe(false);
  });
});
