import type { Random } from './types.js';

/**
 * A small seeded PRNG (mulberry32: 32-bit state, period 2³²), enough for initialising factors
 * and shuffling; not for cryptography. The same seed always gives the same sequence.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
