import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG } from '../config.js';
import { rankingEvidence } from './evidence.js';
import { assignSessions } from './sessions.js';

describe('assignSessions', () => {
  it('splits a user’s ratings at pauses longer than the gap, numbered in time order', () => {
    // In item order the times are 500, 100, 130, 1000, 100: sessions {100,100,130}, {500}, {1000}.
    const times = Float64Array.of(500, 100, 130, 1000, 100);
    const out = new Int32Array(5);
    expect(assignSessions(times, 0, 5, 60, 7, out, new Float64Array(5))).toBe(3);
    expect(Array.from(out)).toEqual([8, 7, 7, 9, 7]);
  });
});

describe('rankingEvidence', () => {
  it('weights likes by stars above the threshold, dislikes as negatives, recent ones most', () => {
    const config = {
      ...DEFAULT_MODEL_CONFIG.ranking,
      alpha: 2,
      positiveThreshold: 4,
      ratingSlope: 0.5,
      negativeWeight: 0.25,
      recencyHalfLife: 1,
      recencyFloor: 0.2,
    };
    const values = Float32Array.of(5, 4, 2, 4.5);
    const times = Float64Array.of(40, 30, 20, 10);
    const weights = new Float32Array(4);
    const targets = new Float32Array(4);
    rankingEvidence(config, values, times, 0, 4, weights, targets, new Float64Array(4));
    expect(Array.from(targets)).toEqual([1, 1, 0, 1]);
    // Ages 0, 1, 2, 3 → recency 1, 1/2, 1/4 (→ 0.25), 1/8 (floored to 0.2).
    expect(Array.from(weights)).toEqual(
      [2 * 1.5, 2 * 0.5, 2 * 0.25 * 0.25, 2 * 1.25 * 0.2].map(Math.fround),
    );
    rankingEvidence(
      { ...config, recencyHalfLife: null },
      values,
      times,
      0,
      4,
      weights,
      targets,
      new Float64Array(4),
    );
    expect(Array.from(weights)).toEqual([3, 2, 0.5, 2.5]);
  });
});
